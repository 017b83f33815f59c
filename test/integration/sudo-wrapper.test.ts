// scripts/sudo/rssdrift-helper, the wrapper docs/sudo.md tells a sudoers rule to allow instead of
// python3: run as `--python WRAPPER`, it runs the real helper when the bundle rssdrift sends is
// the reviewed copy (entry script and modules), and refuses anything else (other code, other
// arguments, a --vmlinux others could write); doctor's check mode goes through it too. Installed in a root-only directory under /run, as the docs install it under
// /usr/local; started through the local transport, as sudo would start it.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDoctor } from "../../src/doctor/run-doctor.js";
import type { RssdriftError } from "../../src/errors.js";
import { BOOTSTRAP, HELPER_SCRIPT_PATH, helperBundle, helperPreamble, type HelperOptions } from "../../src/sources/helper-launch.js";
import type { HelperLine } from "../../src/schema/helper-line.js";
import { openHelperSource } from "../../src/sources/helper-source.js";
import { openProcfsSource } from "../../src/sources/procfs-source.js";
import { localTransport } from "../../src/transports/local-transport.js";

const isRoot = process.getuid?.() === 0;
const WRAPPER_SOURCE = new URL("../../scripts/sudo/rssdrift-helper", import.meta.url);
const REFUSED = 126;

let dir: string;
let wrapper: string;

beforeAll(() => {
  if (!isRoot) return;
  dir = mkdtempSync("/run/rssdrift-wrapper-"); // root's, 0700: every directory above is root's alone
  const reviewed = join(dir, "rss_stat.py");
  copyFileSync(HELPER_SCRIPT_PATH, reviewed);
  // and its package, as docs/sudo.md installs it (the .py files and protocol.json only)
  const modules = join(dirname(HELPER_SCRIPT_PATH), "rssdrift_helper");
  mkdirSync(join(dir, "rssdrift_helper"), { mode: 0o755 });
  for (const file of readdirSync(modules).filter((name) => name.endsWith(".py") || name === "protocol.json")) {
    copyFileSync(join(modules, file), join(dir, "rssdrift_helper", file));
  }
  wrapper = join(dir, "rssdrift-helper");
  const source = readFileSync(WRAPPER_SOURCE, "utf8");
  const installed = source.replace(
    'REVIEWED_HELPER = "/usr/local/lib/rssdrift/rss_stat.py"',
    `REVIEWED_HELPER = ${JSON.stringify(reviewed)}`,
  );
  expect(installed).not.toBe(source);
  writeFileSync(wrapper, installed, { mode: 0o755 });
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The wrapper started with rssdrift's argv shape and `stdin`. */
async function runWrapper(args: string[], stdin: Buffer | string = "") {
  const command = await localTransport().start([wrapper, "-I", "-c", BOOTSTRAP, ...args]);
  command.stdin.end(stdin);
  let stderr = "";
  command.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  let stdout = "";
  command.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  const exit = await command.exited;
  return { exit, stdout, stderr };
}

/**
 * The real helper through the wrapper, one sample: the wrapper let it through when the helper
 * itself answered, with a sample or with one of its own verdicts on this kernel (`verdicts`).
 */
async function expectHelperAnswered(options: Partial<HelperOptions>, verdicts: string[]): Promise<void> {
  const source = await openHelperSource(localTransport(), {
    pid: process.pid,
    intervalMs: 1000,
    count: 1,
    smaps: false,
    sudo: false,
    python: wrapper,
    ...options,
  });
  const lines: string[] = [];
  let error: unknown;
  try {
    for await (const line of source) lines.push(line.type);
  } catch (err) {
    error = err;
  } finally {
    await source.close();
  }
  if (error === undefined) expect(lines).toContain("sample");
  else expect(verdicts).toContain((error as RssdriftError).code);
}

describe.skipIf(!isRoot)("the sudo wrapper", () => {
  it("runs the real helper sent by rssdrift (--python WRAPPER), which reaches its own verdict", async () => {
    await expectHelperAnswered({}, ["no-kcore", "lockdown", "no-drgn", "no-debug-info"]);
  });

  it("runs the bpf backend through the wrapper, and doctor's --pid self round trip", async () => {
    for (const pid of [process.pid, "self"] as const) {
      await expectHelperAnswered({ pid, backend: "bpf" }, ["bpf-refused", "no-btf", "lockdown", "unsupported-arch"]);
    }
  });

  it("runs the procfs estimate through the wrapper, started as rssdrift starts it (no sudo, --where)", async () => {
    const source = await openProcfsSource(localTransport(), { pid: process.pid, intervalMs: 1000, count: 1, python: wrapper });
    const lines: HelperLine[] = [];
    for await (const line of source) lines.push(line);
    expect(lines.map((line) => line.type)).toEqual(["hello", "sample"]);
    expect(lines[0]).toMatchObject({ backend: "procfs", target: { pid: process.pid } });
  });

  it("refuses a --where that is not a short printable label", async () => {
    for (const where of ["a\nb", "\u001b]0;x\u0007", "x".repeat(256)]) {
      const { exit, stderr } = await runWrapper(["--pid", "1", "--backend", "procfs", "--where", where], helperPreamble());
      expect(exit.code).toBe(REFUSED);
      expect(stderr).toContain("refused: --where takes a printable label");
    }
  });

  it("runs doctor's check mode (--check), so doctor works with only the wrapper allowed", async () => {
    const report = await runDoctor(localTransport(), { python: wrapper });
    const python = report.results.find((result) => result.check === "python3")!;
    expect(python).toMatchObject({ status: "ok", detail: expect.stringContaining("(/usr/bin/python3)") }); // the wrapper's own python3
    expect(report.kernel).not.toBeNull();
  });

  it("refuses any other script, which never runs", async () => {
    const marker = join(dir, "ran");
    const other = Buffer.from(`${readFileSync(HELPER_SCRIPT_PATH, "utf8")}\nopen(${JSON.stringify(marker)}, "w").close()\n`);
    const { exit, stderr, stdout } = await runWrapper(["--pid", "1", "--control"], helperPreamble(other));
    expect(exit.code).toBe(REFUSED);
    expect(stderr).toMatch(/^rssdrift-helper: refused: the script on stdin is not .*rss_stat\.py/);
    expect(stdout).toBe("");
    expect(existsSync(marker)).toBe(false);
  });

  it("refuses the real entry script with a changed module, which never runs", async () => {
    const marker = join(dir, "ran-module");
    const bundle = helperBundle();
    expect(bundle["rssdrift_helper.protocol"]).toBeDefined();
    bundle["rssdrift_helper.protocol"] += `\nopen(${JSON.stringify(marker)}, "w").close()\n`;
    const body = Buffer.from(JSON.stringify(bundle));
    const preamble = Buffer.concat([Buffer.from(`${String(body.length).padStart(10, "0")}\n`), body]);
    const { exit, stderr, stdout } = await runWrapper(["--pid", "1", "--control"], preamble);
    expect(exit.code).toBe(REFUSED);
    expect(stderr).toMatch(/^rssdrift-helper: refused: the script on stdin is not .*rss_stat\.py with its rssdrift_helper\//);
    expect(stdout).toBe("");
    expect(existsSync(marker)).toBe(false);
  });

  it("refuses the real helper with a changed protocol.json, which it never reads", async () => {
    const bundle = helperBundle();
    const changed = bundle["rssdrift_helper/protocol.json"]?.replace('"exitStatus": 2', '"exitStatus": 0');
    expect(changed).not.toBe(bundle["rssdrift_helper/protocol.json"]);
    const body = Buffer.from(JSON.stringify({ ...bundle, "rssdrift_helper/protocol.json": changed }));
    const preamble = Buffer.concat([Buffer.from(`${String(body.length).padStart(10, "0")}\n`), body]);
    const { exit, stderr, stdout } = await runWrapper(["--pid", "1", "--control"], preamble);
    expect(exit.code).toBe(REFUSED);
    expect(stderr).toMatch(/^rssdrift-helper: refused: the script on stdin is not .*rss_stat\.py with its rssdrift_helper\//);
    expect(stdout).toBe("");
  });

  it("through rssdrift, a refusal is one helper-failure error that says why", async () => {
    const source = await openHelperSource(
      localTransport(),
      { pid: process.pid, intervalMs: 1000, smaps: false, sudo: false, python: wrapper },
      Buffer.from("print('hi')\n"),
    );
    const error = await (async () => {
      try {
        for await (const _ of source) void _;
      } catch (err) {
        return err as RssdriftError;
      } finally {
        await source.close();
      }
    })();
    expect(error?.message).toMatch(/exited with code 126: rssdrift-helper: refused: the script on stdin is not/);
  });

  it("refuses a command line that is not rssdrift's, and arguments the helper is not sent", async () => {
    const preamble = helperPreamble();
    for (const args of [
      ["--pid", "1", "--vm", "/run"],
      ["--pid", "1", "--interval", "1e3"],
      ["--pid", "1", "--bogus"],
      ["--pid"],
      ["--pid", "1", "--backend", "kcore"],
      ["--pid", "me"],
    ]) {
      const { exit, stderr } = await runWrapper(args, preamble);
      expect(exit.code, args.join(" ")).toBe(REFUSED);
      expect(stderr).toMatch(
        /refused: (unexpected helper argument|--interval takes a number|--backend takes one of drgn, bpf|--pid takes a number)/,
      );
    }
    const command = await localTransport().start([wrapper, "-c", "import os; os.system('id')"]);
    command.stdin.end();
    expect((await command.exited).code).toBe(REFUSED);
  });

  it("refuses a --vmlinux that someone other than root could have written", async () => {
    const planted = join(mkdtempSync("/tmp/rssdrift-vmlinux-"), "vmlinux"); // /tmp is world-writable
    writeFileSync(planted, "not really");
    try {
      const { exit, stderr } = await runWrapper(["--pid", "1", "--vmlinux", planted], helperPreamble());
      expect(exit.code).toBe(REFUSED);
      expect(stderr).toContain(`--vmlinux ${planted}: only a file that root alone can write is read as root`);
    } finally {
      rmSync(join(planted, ".."), { recursive: true, force: true });
    }
  });
});
