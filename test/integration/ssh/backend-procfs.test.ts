// --backend procfs over --host, against a real ssh2 server on loopback: the real helper's procfs
// mode goes over stdin as every backend does (no sudo, nothing written on the target), reads a
// real process through the link, refuses what the other backends refuse, and names the host
// in what it says.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { PassThrough } from "node:stream";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ProcessContext } from "../../../src/commands/context.js";
import { runCommandLine } from "../../../src/commands/command.js";
import { reportCommand } from "../../../src/commands/report.js";
import { EXIT } from "../../../src/errors.js";
import type { JsonReport } from "../../../src/report/json.js";
import { HELPER_SCRIPT_PATH } from "../../../src/sources/helper-launch.js";
import { makeKey, removeDir, startTestServer, tempDir, writeSshConfig, type TestServer } from "./ssh-test-server.js";

let dir: string;
let server: TestServer;
let config: string;

beforeAll(async () => {
  dir = tempDir("ssh-backend-procfs");
  const hostKey = makeKey(dir, "host_key");
  const userKey = makeKey(dir, "user_key");
  server = await startTestServer({ hostKey, authorizedKeys: [userKey] });
  const knownHosts = join(dir, "known_hosts");
  writeFileSync(knownHosts, `[127.0.0.1]:${server.port} ${hostKey.publicLine}\n`);
  config = writeSshConfig(join(dir, "config"), {
    srv: { HostName: "127.0.0.1", Port: server.port, User: "tester", IdentityFile: userKey.path, UserKnownHostsFile: knownHosts },
  });
});
afterAll(async () => {
  await server?.close();
  removeDir(dir);
});

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
});

/** python3 running `code`; its first stdout line */
async function startPython(code: string): Promise<{ child: ChildProcess; firstLine: string }> {
  const child = spawn("python3", ["-I", "-c", code], { stdio: ["pipe", "pipe", "inherit"] });
  children.push(child);
  const [firstLine] = (await once(createInterface({ input: child.stdout! }), "line")) as [string];
  return { child, firstLine };
}

async function rssdrift(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const out = new PassThrough().on("data", (chunk) => (stdout += chunk));
  const err = new PassThrough().on("data", (chunk) => (stderr += chunk));
  const ctx: ProcessContext = {
    stdin: new PassThrough(),
    stdout: out,
    stderr: err,
    env: { PATH: process.env.PATH, HOME: dir },
    signal: new AbortController().signal,
  };
  try {
    return {
      code: await runCommandLine(reportCommand, [...args, "--host", "srv", "-F", config, "--backend", "procfs"], ctx),
      stdout,
      stderr,
    };
  } catch (error) {
    return { code: (error as { exitCode: number }).exitCode, stdout, stderr: (error as Error).message };
  }
}

describe("--backend procfs over SSH, the real helper", () => {
  it("reads a real process through the link, started without sudo and sent over stdin", async () => {
    const { child } = await startPython("import sys\nprint('ready',flush=True)\nsys.stdin.read()");
    server.commands.length = 0;
    const run = await rssdrift([String(child.pid), "--json"]);
    expect(run.code, run.stderr).toBe(EXIT.ok);
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report.backend).toEqual({ requested: "procfs", used: "procfs", skipped: [] });
    expect(report.hello).toMatchObject({
      backend: "procfs",
      era_source: "version",
      slot_kind: "none",
      target: { pid: child.pid, comm: "python3" },
    });
    expect(report.sample.counters).toBeNull();
    expect(report.sample.proc.status.VmRSS).toBeGreaterThan(0);
    // one command: the helper (its multi-line bootstrap goes through /bin/sh as printf escapes),
    // no sudo, its files on stdin
    const helper = server.commands.filter((command) => command.includes("--backend"));
    expect(helper).toHaveLength(1);
    for (const word of ["python3", "--backend", "procfs", "--where"]) expect(helper[0]).toContain(word);
    expect(server.commands.join("\n")).not.toMatch(/sudo/);
    expect(server.commands.join("\n")).not.toContain(HELPER_SCRIPT_PATH.replace(/rss_stat\.py$/, ""));
  });

  it("refuses a thread id as every backend does, naming its process", async () => {
    const { child, firstLine } = await startPython(
      "import threading,sys\nt=threading.Thread(target=sys.stdin.read,daemon=True)\nt.start()\nprint(t.native_id,flush=True)\nsys.stdin.read()",
    );
    const run = await rssdrift([firstLine]);
    expect(run.code).toBe(EXIT.badInput);
    expect(run.stderr).toBe(`pid ${firstLine} is a thread of process ${child.pid}`);
  });

  it("says which host a python3 is missing on: one line, exit 4", async () => {
    const run = await rssdrift([String(process.pid), "--python", "/nonexistent/python3"]);
    expect(run.code).toBe(EXIT.missingPrerequisite);
    expect(run.stderr).toMatch(/^\/nonexistent\/python3 is not (available|installed) on tester@srv/);
  });
});
