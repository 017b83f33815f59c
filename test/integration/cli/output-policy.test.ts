// The built CLI with an output it cannot write: a pipe whose reader has gone (`| head -1`) ends
// quietly with 141, a full disk (/dev/full) is one line on stderr and exit 8; never a stack trace.
import { spawn } from "node:child_process";
import { openSync, closeSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXIT } from "../../../src/errors.js";

const ROOT = new URL("../../../", import.meta.url).pathname;
const CLI = join(ROOT, "dist/cli/rssdrift.js");
const RECORDING = join(ROOT, "test/fixtures/lab-6.12-4cpu.jsonl");

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function collect(child: ReturnType<typeof spawn>, stdout = ""): Promise<Run> {
  let stderr = "";
  let out = stdout;
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
  return new Promise((resolve) => child.on("close", (status) => resolve({ status, stdout: out, stderr })));
}

/** `rssdrift ARGS | head -1`, with bash telling rssdrift's own status */
function throughHead(args: string[]): Promise<Run> {
  const quoted = [process.execPath, CLI, ...args].map((word) => `'${word}'`).join(" ");
  const child = spawn("bash", ["-c", `${quoted} | head -1; echo "status \${PIPESTATUS[0]}" >&2`], { cwd: ROOT });
  return collect(child).then((run) => ({ ...run, status: Number(/status (\d+)/.exec(run.stderr)?.[1]) }));
}

/** rssdrift ARGS with a stdout pipe whose reading end is closed before rssdrift writes a byte */
function readerGone(args: string[]): Promise<Run> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout!.destroy();
  return collect(child);
}

/** rssdrift ARGS > /dev/full */
function toFullDisk(args: string[]): Promise<Run> {
  const full = openSync("/dev/full", "w");
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ["ignore", full, "pipe"] });
  closeSync(full);
  return collect(child);
}

/** doctor runs the real helper's checks (bpf, apt-cache) before it writes: seconds on a busy machine */
const DOCTOR_ROOM_MS = 30_000;

const noStack = (stderr: string) => expect(stderr).not.toMatch(/^\s+at |node:events|Unhandled|internal error/m);

describe("a pipe closed by its reader", () => {
  it.each([
    ["watch, lines", ["watch", String(process.pid), "--backend", "procfs", "--count", "3", "--interval", "100"]],
    ["watch, --json", ["watch", String(process.pid), "--backend", "procfs", "--count", "3", "--interval", "100", "--json"]],
    ["replay, --json", ["replay", RECORDING, "--json", "--speed", "1000"]],
  ])("%s | head -1: one line out, then quiet, exit 141", async (_, args) => {
    const run = await throughHead(args);
    expect(run.stdout.trimEnd().split("\n")).toHaveLength(1);
    expect(run.status).toBe(EXIT.closedPipe);
    noStack(run.stderr);
  });

  it.each([
    ["bound", ["bound", "--cpus", "8,32,128"]],
    ["--help", ["--help"]],
    ["watch --help", ["watch", "--help"]],
    ["doctor", ["doctor"]],
    ["a report", [String(process.pid), "--backend", "procfs"]],
  ])(
    "%s: exit 141 and no stack trace",
    async (_, args) => {
      const run = await readerGone(args);
      expect(run.status).toBe(EXIT.closedPipe);
      noStack(run.stderr);
    },
    DOCTOR_ROOM_MS,
  );
});

describe("a full disk (/dev/full)", () => {
  it.each([
    ["--help", ["--help"]],
    ["bound", ["bound"]],
    ["doctor", ["doctor"]],
    ["replay --json", ["replay", RECORDING, "--json", "--speed", "1000"]],
    ["watch --count 2", ["watch", String(process.pid), "--backend", "procfs", "--count", "2", "--interval", "100"]],
  ])(
    "%s: one line naming ENOSPC, exit 8",
    async (_, args) => {
      const run = await toFullDisk(args);
      expect(run.status).toBe(EXIT.outputFailed);
      const failures = run.stderr.split("\n").filter((line) => line.includes("cannot write the output"));
      expect(failures).toEqual(["rssdrift: cannot write the output: no space left on device (ENOSPC)"]);
      noStack(run.stderr);
    },
    DOCTOR_ROOM_MS,
  );
});
