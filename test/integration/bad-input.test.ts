// The bad-input matrix: the real built CLI (node dist/cli/rssdrift.js) as a child process with no
// terminal, fed bad pids, flags, files and hosts, and real processes that are gone, kernel
// threads, threads, zombies or have hostile names. Each must end in exactly one line on stderr,
// the exit code the help documents (src/errors.ts), no stack trace, and nothing written to the cwd.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../../src/errors.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CLI = join(ROOT, "dist/cli/rssdrift.js");
const RECORDING = join(ROOT, "test/fixtures/lab-6.12-4cpu.jsonl");

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
  /** what the run left in its (fresh, empty) working directory */
  created: string[];
}

/** Runs the CLI in a fresh empty directory, stdin closed, stdout and stderr pipes (no TTY). */
async function rssdrift(argv: string[]): Promise<Outcome> {
  const cwd = mkdtempSync(join(tmpdir(), "rssdrift-bad-input-"));
  try {
    const child = spawn(process.execPath, [CLI, ...argv], {
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1", RSSDRIFT_DEBUG: "" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, "close")) as [number | null];
    return { code, stdout, stderr, created: readdirSync(cwd) };
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

/** exactly one line on stderr, starting "rssdrift: " */
function oneLine(stderr: string): string {
  expect(stderr.endsWith("\n"), `stderr does not end in a newline: ${JSON.stringify(stderr)}`).toBe(true);
  const lines = stderr.slice(0, -1).split("\n");
  expect(lines, `stderr is not one line: ${JSON.stringify(stderr)}`).toHaveLength(1);
  expect(lines[0]).toMatch(/^rssdrift: /);
  return lines[0]!;
}

function noStackTrace(text: string): void {
  expect(text).not.toMatch(/^\s+at /m);
  expect(text).not.toContain("node:internal");
  expect(text).not.toContain("internal error");
}

/**
 * The contract of every case: the code, one line (matching `line`), no stack, nothing written to
 * the cwd, and nothing on stdout (`streamed`: a replay may have played the samples before the damage).
 */
async function refused(argv: string[], code: number, line?: RegExp, streamed = false): Promise<string> {
  const outcome = await rssdrift(argv);
  noStackTrace(outcome.stderr);
  const said = oneLine(outcome.stderr);
  expect(outcome.code, said).toBe(code);
  if (!streamed) expect(outcome.stdout).toBe("");
  expect(outcome.created).toEqual([]);
  if (line) expect(said).toMatch(line);
  return said;
}

// --- real processes -------------------------------------------------------------------------

const children: ChildProcess[] = [];

/** python3 -I running `code`; resolves with its first stdout line (it keeps running until killed). */
async function python(code: string): Promise<string> {
  const child = spawn("python3", ["-I", "-c", code], { stdio: ["pipe", "pipe", "inherit"] });
  children.push(child);
  const [line] = (await once(createInterface({ input: child.stdout! }), "line")) as [string];
  return line;
}

async function gonePid(): Promise<number> {
  const child = spawn("true");
  await once(child, "exit");
  return child.pid!;
}

/** a child that exits at once and is never reaped, named `name` (prctl PR_SET_NAME), as a pid */
async function zombie(name = "zombie"): Promise<number> {
  const pid = Number(
    await python(
      "import ctypes,os,sys\n" +
        "pid=os.fork()\n" +
        `if pid==0: ctypes.CDLL(None).prctl(15, ${pythonBytes(name)}, 0, 0, 0); os._exit(0)\n` +
        "print(pid,flush=True)\nsys.stdin.read()",
    ),
  );
  // the fork's exit takes a moment to show as state Z
  for (let tries = 0; tries < 200 && !/\) Z /.test(readStat(pid)); tries++) await new Promise((r) => setTimeout(r, 10));
  return pid;
}

function readStat(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return "";
  }
}

function pythonBytes(text: string): string {
  return `bytes.fromhex('${Buffer.from(text).toString("hex")}')`;
}

afterAll(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
});

// --- files ----------------------------------------------------------------------------------

let files: string;
beforeAll(() => {
  files = mkdtempSync(join(tmpdir(), "rssdrift-bad-files-"));
  const lines = readFileSync(RECORDING, "utf8").split("\n");
  mkdirSync(join(files, "a-directory.jsonl"));
  writeFileSync(join(files, "empty.jsonl"), "");
  // three progress lines, the hello, then samples: cut in the middle of the third sample (line 7)
  const cut = lines.slice(0, 6).join("\n").length + 60;
  writeFileSync(join(files, "truncated.jsonl"), lines.join("\n").slice(0, cut));
  writeFileSync(join(files, "malformed.jsonl"), [...lines.slice(0, 3), '{"type":"sample","seq":"three"}', ...lines.slice(3)].join("\n"));
  // a 16 MiB line with no newline after the hello line
  writeFileSync(join(files, "huge-line.jsonl"), `${lines[0]}\n${"x".repeat(16 << 20)}`);
});
afterAll(() => rmSync(files, { recursive: true, force: true }));

// --- the matrix -----------------------------------------------------------------------------

describe.skipIf(!existsSync(CLI))("bad input to the real CLI: one line, the documented code, no stack, nothing written", () => {
  describe("pids", () => {
    it.each([
      [["abc"], /not a pid: "abc"/],
      [["0"], /not a pid: "0"/],
      [["1e3"], /not a pid: "1e3"/],
      [["0x10"], /not a pid: "0x10"/],
      [["99999999"], /not a pid: "99999999"/],
      [["-1"], /unknown option -1/],
      [["1", "2"], /one pid, not 2/],
      [["1", "1"], /one pid, not 2/],
      [["watch", "1", "2"], /one pid, not 2/],
      [["watch"], /which process\?/],
    ])("%j is bad input (2)", async (argv, line) => {
      await refused(argv, EXIT.badInput, line);
    });

    it("a pid that is gone is target gone (3), with the procfs backend and with auto", async () => {
      const pid = await gonePid();
      await refused([String(pid), "--backend", "procfs"], EXIT.targetGone, /no process with pid/);
      await refused([String(pid)], EXIT.targetGone);
    });

    it("pid 2 (kthreadd) is a kernel thread: bad input (2), with the procfs backend and with auto", async () => {
      await refused(["2", "--backend", "procfs"], EXIT.badInput, /kernel thread/);
      await refused(["2"], EXIT.badInput, /kernel thread/);
    });

    it("a thread id is bad input (2), naming its process", async () => {
      const tid = await python(
        "import threading,sys\nt=threading.Thread(target=sys.stdin.read,daemon=True)\nt.start()\nprint(t.native_id,flush=True)\nsys.stdin.read()",
      );
      await refused([tid, "--backend", "procfs"], EXIT.badInput, /is a thread of process \d+/);
    });

    it("a zombie is target gone (3)", async () => {
      const pid = await zombie();
      await refused([String(pid), "--backend", "procfs"], EXIT.targetGone, /zombie/);
    });
  });

  describe("flags", () => {
    it.each([
      [["1", "--frobnicate"], /unknown option --frobnicate/],
      [["1", "--jsno"], /unknown option --jsno \(did you mean --json\?\)/],
      [["watch", "1", "-v"], /unknown option -v/],
      [["1", "--interval"], /--interval needs a value/],
      [["1", "--interval", "1e3"], /--interval takes whole milliseconds/],
      [["1", "--interval", "0x64"], /--interval takes whole milliseconds/],
      [["1", "--interval", " 100 "], /--interval takes whole milliseconds/],
      [["1", "--interval", "10"], /--interval takes whole milliseconds from 50/],
      [["1", "--backend", "nope"], /--backend is auto, bpf, drgn or procfs/],
      [["1", "--json", "--markdown"], /pick one/],
      [["1", "--json=yes"], /--json takes no value/],
      [["1", "-i"], /--identity needs a value/],
      [["watch", "1", "--count", "0"], /--count takes a whole number/],
      [["watch", "--demo", "12"], /unexpected argument 12/],
      [["bound", "--cpus"], /--cpus needs a value/],
      [["bound", "--cpu", "8"], /unknown option --cpu \(did you mean --cpus\?\)/],
      [["bound", "--cpus", "abc"], /--cpus/],
      [["replay"], /which recording\?/],
      [["replay", "--sped", "2", "x.jsonl"], /did you mean --speed\?/],
      [["doctor", "--hots", "x"], /did you mean --host\?/],
      [["fleet", "1", "--host", "a", "--paralel", "2"], /did you mean --parallel\?/],
      [["bound", "extra"], /unexpected argument extra/],
      [["wacth", "12"], /unknown command wacth \(did you mean watch\?\)/],
      [["help", "bogus"], /unknown command bogus/],
    ])("%j is bad input (2)", async (argv, line) => {
      await refused(argv, EXIT.badInput, line);
    });
  });

  describe("files", () => {
    it("replay of a missing file or a directory is bad input (2)", async () => {
      await refused(["replay", join(files, "missing.jsonl")], EXIT.badInput, /no such file/);
      await refused(["replay", join(files, "a-directory.jsonl")], EXIT.badInput, /cannot read recording .*: it is a directory$/);
    });

    it.each([
      ["empty.jsonl", /no hello line/],
      ["truncated.jsonl", /line 7: printed a line that is not JSON/],
      ["malformed.jsonl", /line 4: printed a malformed line/],
      ["huge-line.jsonl", /line 2 is longer than 1 MiB/],
    ])("replay of %s is a malformed recording (5)", async (name, line) => {
      // replay streams: the samples before the damage may already have played
      const said = await refused(["replay", join(files, name), "--json"], EXIT.helperFailure, line, true);
      // the line quotes the bad input, cut short
      expect(said.length).toBeLessThan(500);
    });
  });

  // Malformed --host values must be refused in one line before any connection (or DNS lookup).
  describe("hosts", () => {
    it.each([
      [["1", "--host", ""]],
      [["1", "--host", "web\n01"]],
      [["1", "--host", "[::1"]],
      [["1", "--host", "a:1:2"]],
      [["watch", "1", "--host", "a b"]],
    ])("%j is bad input (2)", async (argv) => {
      await refused(argv, EXIT.badInput);
    });
  });

  // Names a process can give itself: the error line shows them printable (src/text/printable.ts).
  describe("hostile process names", () => {
    it("a zombie named with an escape sequence and a newline is target gone (3), in one printable line", async () => {
      const pid = await zombie("\u001b[2J\nx");
      const said = await refused([String(pid), "--backend", "procfs"], EXIT.targetGone, /zombie/);
      expect(said).not.toContain("\u001b");
    });

    it("a live process named with an OSC title sequence gets its report (0), no stack", async () => {
      const pid = await python(
        `import ctypes,os,sys\nctypes.CDLL(None).prctl(15, ${pythonBytes("\u001b]0;pwn\u0007\nx")}, 0, 0, 0)\nprint(os.getpid(),flush=True)\nsys.stdin.read()`,
      );
      const outcome = await rssdrift([pid, "--backend", "procfs", "--json"]);
      expect(outcome.code).toBe(EXIT.ok);
      noStackTrace(outcome.stderr);
      expect(outcome.created).toEqual([]);
      // JSON escapes control characters: the name arrives intact but inert
      expect(outcome.stdout).not.toContain("\u001b");
      expect(JSON.parse(outcome.stdout).hello.target.comm).toBe("\u001b]0;pwn\u0007\nx");
    });
  });
});
