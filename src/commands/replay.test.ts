// `rssdrift replay` and `rssdrift watch` when stdout is not a terminal: the path CI and pipes take.
// The live path runs on a real process of this machine through the procfs backend.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { EXIT, RssdriftError } from "../errors.js";
import { parseHelperLine } from "../schema/validate-line.js";
import { runCommandLine } from "./command.js";
import type { ProcessContext } from "./context.js";
import { replayCommand } from "./replay.js";
import { watchCommand } from "./watch.js";

const FIXTURE = new URL("../../test/fixtures/lab-6.12-4cpu.jsonl", import.meta.url).pathname;
const fixtureLines = readFileSync(FIXTURE, "utf8").trim().split("\n");
const scratch = mkdtempSync(join(tmpdir(), "rssdrift-cmd-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function pipeContext(abort = new AbortController()) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on("data", (chunk: Buffer) => out.push(chunk.toString()));
  stderr.on("data", (chunk: Buffer) => err.push(chunk.toString()));
  const ctx: ProcessContext = { stdin: new PassThrough(), stdout, stderr, env: {}, signal: abort.signal };
  return { ctx, out: () => out.join(""), err: () => err.join(""), abort };
}

async function failure(promise: Promise<unknown>): Promise<RssdriftError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof RssdriftError) return err;
    throw err;
  }
  throw new Error("expected an RssdriftError");
}

describe("replay, not on a terminal", () => {
  it("prints a header and one compact line per sample, then exits 0", async () => {
    const { ctx, out } = pipeContext();
    expect(await runCommandLine(replayCommand, [FIXTURE, "--speed", "1000"], ctx)).toBe(EXIT.ok);
    const lines = out().trim().split("\n");
    expect(lines[0]).toMatch(/^# rssdrift: replay of lab-6.12-4cpu\.jsonl · kernel 6\.12\.107/);
    expect(lines.slice(1).map((l) => l.split(" ")[0])).toEqual(Array.from({ length: 40 }, (_, i) => `#${i}`));
  });

  it("--json prints one {hello, sample, analysis} object per sample", async () => {
    const { ctx, out } = pipeContext();
    expect(await runCommandLine(replayCommand, [FIXTURE, "--speed", "1000", "--json"], ctx)).toBe(EXIT.ok);
    const objects = out()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(objects).toHaveLength(40);
    expect(Object.keys(objects[0])).toEqual(["hello", "sample", "analysis"]);
    expect(objects[39].sample).toEqual(JSON.parse(fixtureLines.at(-1)!));
    expect(objects[39].analysis.rss.driftPages).toBe(objects[39].analysis.rss.exact - objects[39].analysis.rss.cached);
  });

  it("stops a malformed recording with one error naming the line, exit code 5", async () => {
    const path = join(scratch, "malformed.jsonl");
    writeFileSync(path, [...fixtureLines.slice(0, 10), '{"type":"sample","seq":6}', ...fixtureLines.slice(10)].join("\n"));
    const { ctx, out } = pipeContext();
    const err = await failure(runCommandLine(replayCommand, [path, "--speed", "1000"], ctx));
    expect(err.exitCode).toBe(EXIT.helperFailure);
    expect(err.message).toMatch(/malformed\.jsonl line 11: printed a malformed line: the line lacks "mono_ms"/);
    // streamed: what came before the bad line has played (the header and the 6 samples), nothing after
    expect(out().trim().split("\n")).toHaveLength(1 + 6);
  });

  it("ends with the target-gone exit code when the recorded process exited", async () => {
    const path = join(scratch, "exited.jsonl");
    writeFileSync(path, [...fixtureLines.slice(0, 8), '{"type":"error","code":"target-exited","message":"process 689 exited"}'].join("\n"));
    const { ctx, out } = pipeContext();
    const err = await failure(runCommandLine(replayCommand, [path, "--speed", "1000"], ctx));
    expect(err.exitCode).toBe(EXIT.targetGone);
    expect(out().trim().split("\n")).toHaveLength(1 + 4);
  });

  it("returns 130 when interrupted", async () => {
    const { ctx, out, abort } = pipeContext();
    const run = runCommandLine(replayCommand, [FIXTURE, "--speed", "0.1"], ctx);
    while (!out().includes("#0 ")) await new Promise((resolve) => setTimeout(resolve, 5));
    abort.abort();
    expect(await run).toBe(EXIT.interrupted);
    expect(out()).not.toContain("#1 ");
  });

  it("refuses bad flags as bad input", async () => {
    const { ctx } = pipeContext();
    for (const argv of [[], [FIXTURE, "--speed", "0"], [FIXTURE, "--speed", "fast"], [FIXTURE, "--bogus"], [FIXTURE, FIXTURE]]) {
      expect((await failure(runCommandLine(replayCommand, argv, ctx))).exitCode).toBe(EXIT.badInput);
    }
    expect((await failure(runCommandLine(replayCommand, [join(scratch, "absent.jsonl")], ctx))).exitCode).toBe(EXIT.badInput);
  });

  it("teaches with --help", async () => {
    const { ctx, out } = pipeContext();
    expect(await runCommandLine(replayCommand, ["--help"], ctx)).toBe(EXIT.ok);
    expect(out()).toContain("Usage: rssdrift replay FILE.jsonl");
    expect(out()).toContain("--speed X");
  });
});

describe("watch, not on a terminal", () => {
  const children: number[] = [];
  afterAll(() => {
    for (const pid of children) process.kill(pid);
  });

  it("--demo plays the shipped recording as lines", async () => {
    const { ctx, out, abort } = pipeContext();
    const run = runCommandLine(watchCommand, ["--demo", "--json"], ctx);
    // at the recorded pace: wait for two samples, then stop it (as Ctrl-C, or the CLI's output
    // policy when the reader goes away, does)
    while (out().split("\n").length < 3) await new Promise((resolve) => setTimeout(resolve, 20));
    abort.abort();
    expect(await run).toBe(EXIT.interrupted);
    expect(JSON.parse(out().split("\n")[0]!).hello.target.comm).toBe("step-target");
  });

  it("samples a real process (procfs backend), prints lines and records what it read", async () => {
    const child = spawn("sleep", ["60"], { stdio: "ignore" });
    children.push(child.pid!);
    const recording = join(scratch, "watch.jsonl");
    const { ctx, out } = pipeContext();
    const code = await runCommandLine(
      watchCommand,
      [String(child.pid), "--backend", "procfs", "--interval", "50", "--count", "3", "--record", recording],
      ctx,
    );
    expect(code).toBe(EXIT.ok);
    const lines = out().trim().split("\n");
    expect(lines[0]).toMatch(new RegExp(`pid ${child.pid} \\(sleep\\)`));
    expect(lines.slice(1)).toHaveLength(3);
    expect(lines[1]).toMatch(/^#0 t\+0\.0s RSS \(estimate\) cached \d+ exact \d+/);
    // the recording holds the validated lines: a hello and the three samples, each valid
    const recorded = readFileSync(recording, "utf8")
      .trim()
      .split("\n")
      .map((l) => parseHelperLine(l));
    expect(recorded.map((l) => l.type).filter((t) => t !== "progress")).toEqual(["hello", "sample", "sample", "sample"]);
  });

  it("refuses a missing pid, two pids and bad flags as bad input", async () => {
    const { ctx } = pipeContext();
    for (const argv of [
      [],
      ["12", "13"],
      ["12", "--count", "0"],
      ["12", "--bogus"],
      ["--demo", "12"],
      ["12", "--host", "a", "--host", "b"],
    ]) {
      expect((await failure(runCommandLine(watchCommand, argv, ctx))).exitCode).toBe(EXIT.badInput);
    }
  });

  it("teaches with --help", async () => {
    const { ctx, out } = pipeContext();
    expect(await runCommandLine(watchCommand, ["--help"], ctx)).toBe(EXIT.ok);
    expect(out()).toContain("Usage: rssdrift watch <pid>");
    expect(out()).toContain("--record FILE.jsonl");
  });
});
