// A real process names itself like an attacker would (ESC ] 0 ; … BEL sets a terminal's title, a
// newline forges a line, U+202E reverses the text after it), and the built CLI reads it through
// the procfs backend: the report, --markdown and `watch` lines show escapes; --json and recordings
// keep the exact name, with what JSON.stringify leaves raw (C1, bidi) written as \u escapes.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { EXIT } from "../../src/errors.js";
import type { JsonReport } from "../../src/report/json.js";
import { startNamedProcess, type NamedProcess } from "../fixtures/hostile-process.js";
import { HOSTILE, expectNoRawControls } from "../fixtures/hostile-strings.js";
import { BUILT_CLI, runBuiltCli, type CliRun } from "../fixtures/built-cli.js";

vi.setConfig({ testTimeout: 30_000 });

/** the built CLI in line mode, without NO_COLOR or FORCE_COLOR: the output is uncoloured because it is not a terminal */
const { NO_COLOR: _noColor, FORCE_COLOR: _forceColor, ...env } = process.env;
const runCli = (args: string[]) => runBuiltCli(args, env);

let target: NamedProcess;
beforeAll(async () => {
  expect(existsSync(BUILT_CLI), `${BUILT_CLI} is missing: run npm run build`).toBe(true);
  target = await startNamedProcess(HOSTILE.comm);
});
afterAll(() => {
  target?.child.kill("SIGKILL");
});

function expectClean(run: CliRun, what: string): void {
  expect(run.stderr, what).toBe("");
  expect(run.code, what).toBe(0);
  expectNoRawControls(run.stdout, `${what} stdout`);
}

describe("a process named to attack the terminal, through the built CLI", () => {
  it("the report shows the name as escapes", async () => {
    const run = await runCli([String(target.pid), "--backend", "procfs"]);
    expectClean(run, "report");
    expect(run.stdout).toContain(`pid ${target.pid} (${HOSTILE.shownComm})`);
  });

  it("--markdown shows it as escaped text", async () => {
    const run = await runCli([String(target.pid), "--backend", "procfs", "--markdown"]);
    expectClean(run, "markdown");
    expect(run.stdout).toContain(`pid ${target.pid} (\\\\e\\]0;PWNED\\\\x07\\\\n\\\\u202e)`);
  });

  it("--json keeps the exact name", async () => {
    const run = await runCli([String(target.pid), "--backend", "procfs", "--json"]);
    expectClean(run, "--json");
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report.hello.target.comm).toBe(HOSTILE.comm);
  });

  it("watch --count 2 in line mode shows it as escapes", async () => {
    const run = await runCli(["watch", String(target.pid), "--backend", "procfs", "--count", "2", "--interval", "100"]);
    expectClean(run, "watch");
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toContain(`pid ${target.pid} (${HOSTILE.shownComm})`);
  });

  it("watch --json keeps the exact name on every line", async () => {
    const run = await runCli(["watch", String(target.pid), "--backend", "procfs", "--count", "2", "--interval", "100", "--json"]);
    expectClean(run, "watch --json");
    const comms = run.stdout
      .trimEnd()
      .split("\n")
      .map((line) => (JSON.parse(line) as JsonReport).hello.target.comm);
    expect(comms).toEqual([HOSTILE.comm, HOSTILE.comm]);
  });

  it("watch --record writes the name \\u-escaped, and replay --json gives it back exact", async () => {
    const dir = mkdtempSync(join(tmpdir(), "rssdrift-hostile-"));
    try {
      const file = join(dir, "run.jsonl");
      const watch = await runCli([
        "watch",
        String(target.pid),
        "--backend",
        "procfs",
        "--count",
        "2",
        "--interval",
        "100",
        "--record",
        file,
      ]);
      expectClean(watch, "watch --record");
      expectNoRawControls(readFileSync(file, "utf8"), "the recording");
      const replay = await runCli(["replay", file, "--json"]);
      expectClean(replay, "replay --json");
      expect((JSON.parse(replay.stdout.split("\n")[0]!) as JsonReport).hello.target.comm).toBe(HOSTILE.comm);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("an error that quotes the name is one line of escapes", async () => {
    const zombie = await startNamedProcess(HOSTILE.comm, { zombie: true });
    try {
      const run = await runCli([String(zombie.pid), "--backend", "procfs"]);
      expect(run.code).toBe(EXIT.targetGone);
      expect(run.stdout).toBe("");
      expectNoRawControls(run.stderr, "stderr");
      expect(run.stderr).toBe(`rssdrift: pid ${zombie.pid} (${HOSTILE.shownComm}) is a zombie: its memory is already gone\n`);
    } finally {
      zombie.child.kill("SIGKILL");
    }
  });
});
