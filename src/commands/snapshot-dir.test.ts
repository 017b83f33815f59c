// --snapshot-dir on real paths: procfs and sysfs (where a recursive mkdir spins forever), a file,
// a missing parent, an unwritable directory, and a fresh directory made at the first snapshot.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EXIT, RssdriftError } from "../errors.js";
import { makeSnapshotDir, snapshotDirOf } from "./snapshot-dir.js";

const scratch = mkdtempSync(join(tmpdir(), "rssdrift-snapdir-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function rejection(flag: string): RssdriftError {
  try {
    snapshotDirOf(flag);
  } catch (error) {
    if (error instanceof RssdriftError) return error;
    throw error;
  }
  throw new Error(`${flag} was accepted`);
}

describe("--snapshot-dir", () => {
  it.each([
    ["/proc/nope", /proc is on procfs/],
    ["/proc", /proc is on procfs/],
    ["/sys/kernel/nope", /on sysfs/],
    ["/nonexistent-rssdrift/deeper", /nonexistent-rssdrift does not exist \(only the last directory is made\)/],
    ["", /empty string/],
  ])("refuses %j in one line, exit 2", (flag, message) => {
    const error = rejection(flag);
    expect(error.exitCode).toBe(EXIT.badInput);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain("\n");
  });

  it("refuses a file, and a file as the parent", () => {
    const file = join(scratch, "a-file");
    writeFileSync(file, "");
    expect(rejection(file).message).toMatch(/is not a directory/);
    expect(rejection(join(file, "snaps")).message).toMatch(/is not a directory/);
  });

  it("accepts a missing last directory without making it, and makes only that one at the first snapshot", async () => {
    const fresh = join(scratch, "fresh");
    expect(snapshotDirOf(fresh)).toBe(fresh);
    expect(existsSync(fresh)).toBe(false);
    await makeSnapshotDir(fresh);
    expect(statSync(fresh).isDirectory()).toBe(true);
    await makeSnapshotDir(fresh); // already there: fine
    await expect(makeSnapshotDir(join(scratch, "no", "such"))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("makeSnapshotDir on procfs fails at once instead of looping", async () => {
    await expect(makeSnapshotDir("/proc/nope")).rejects.toMatchObject({ code: "ENOENT" });
  });
});

describe("the built CLI", () => {
  it("watch --demo --snapshot-dir /proc/nope: one line, exit 2, no hang", () => {
    const cli = new URL("../../dist/cli/rssdrift.js", import.meta.url).pathname;
    const run = spawnSync(process.execPath, [cli, "watch", "--demo", "--snapshot-dir", "/proc/nope"], {
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(run.status).toBe(EXIT.badInput);
    expect(run.stderr).toBe('rssdrift: --snapshot-dir "/proc/nope": /proc is on procfs, a kernel pseudo filesystem that holds no files\n');
  });

  it("replay --snapshot-dir DIR that its user cannot write in: one line, exit 2 (run as nobody: root writes anywhere)", () => {
    const locked = join(scratch, "locked");
    mkdirSync(locked, { mode: 0o555 });
    chmodSync(scratch, 0o755);
    const cli = new URL("../../dist/cli/rssdrift.js", import.meta.url).pathname;
    const fixture = new URL("../../test/fixtures/lab-6.12-4cpu.jsonl", import.meta.url).pathname;
    const asNobody = process.getuid?.() === 0 ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] : [];
    const [command, ...args] = [...asNobody, process.execPath, cli, "replay", fixture, "--snapshot-dir", locked];
    const run = spawnSync(command!, args, { encoding: "utf8", timeout: 60_000 });
    expect(run.status).toBe(EXIT.badInput);
    expect(run.stderr).toBe(`rssdrift: --snapshot-dir "${locked}": cannot write in ${locked}\n`);
  });
});
