// The SSH transport against a real ssh2 server on loopback whose exec channels run real commands.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BOOTSTRAP, control, helperArgv, helperPreamble } from "../../../src/sources/helper-launch.js";
import { runCommand } from "../../../src/transports/run-command.js";
import { defaultSshOptions } from "../../../src/transports/ssh-options.js";
import { shellCommandLine } from "../../../src/transports/ssh-quote.js";
import { openSshTransport, type SshTransport } from "../../../src/transports/ssh-transport.js";
import { isAlive, makeKey, removeDir, startTestServer, tempDir, writeSshConfig, type TestServer } from "./ssh-test-server.js";

let dir: string;
let server: TestServer;
let transport: SshTransport;

beforeAll(async () => {
  dir = tempDir("ssh-exec");
  const hostKey = makeKey(dir, "host_key");
  const userKey = makeKey(dir, "user_key");
  server = await startTestServer({ hostKey, authorizedKeys: [userKey] });
  const knownHosts = join(dir, "known_hosts");
  writeFileSync(knownHosts, `[127.0.0.1]:${server.port} ${hostKey.publicLine}\n`);
  const config = writeSshConfig(join(dir, "config"), {
    srv: { HostName: "127.0.0.1", Port: server.port, User: "tester", IdentityFile: userKey.path, UserKnownHostsFile: knownHosts },
  });
  transport = await openSshTransport("srv", { ...defaultSshOptions(), configFile: config }, () => undefined, {
    home: dir,
    env: { PATH: process.env.PATH },
  });
});

afterAll(async () => {
  await transport?.close();
  await server?.close();
  removeDir(dir);
});

/** A stand-in for helpers/rss_stat.py: answers control lines with JSON lines, says bye on stdin EOF. */
const FAKE_HELPER = `
import json, sys
print(json.dumps({"type": "hello", "argv": sys.argv[1:]}), flush=True)
n = 0
for line in sys.stdin:
    if line.strip() == "sample":
        n += 1
        print(json.dumps({"type": "sample", "seq": n}), flush=True)
print(json.dumps({"type": "bye", "samples": n}), flush=True)
`;

describe("an exec channel", () => {
  it("names the connection as user@alias (host:port)", () => {
    expect(transport.where).toBe(`tester@srv (127.0.0.1:${server.port})`);
  });

  it("delivers argv word for word, however awkward, through the remote shell", async () => {
    const awkward = ["", "two words", "it's", '"q"', "$HOME", "$(id)", "`id`", "a\\b", "l1\nl2\n", "*", "~", "; exit 9", "é✓", BOOTSTRAP];
    const { stdout, exit } = await runCommand(transport, ["printf", "%s\\0", ...awkward]);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(stdout.split("\0").slice(0, -1)).toEqual(awkward);
    expect(server.commands.at(-1)).toBe(shellCommandLine(["printf", "%s\\0", ...awkward]));
  });

  it("runs python3 -c BOOTSTRAP with the script on stdin, answers control lines, and ends on stdin EOF", async () => {
    const argv = helperArgv({ pid: 4321, intervalMs: 250, count: 2, smaps: false, sudo: false });
    const command = await transport.start(argv);
    command.stdin.write(helperPreamble(Buffer.from(FAKE_HELPER)));
    const lines = createInterface({ input: command.stdout })[Symbol.asyncIterator]();
    const next = async () => JSON.parse(((await lines.next()).value as string) ?? "null") as Record<string, unknown>;
    expect(await next()).toEqual({ type: "hello", argv: argv.slice(4) });
    command.stdin.write(control.sampleNow);
    expect(await next()).toEqual({ type: "sample", seq: 1 });
    command.stdin.write(control.sampleNow);
    expect(await next()).toEqual({ type: "sample", seq: 2 });
    command.stdin.end();
    expect(await next()).toEqual({ type: "bye", samples: 2 });
    expect(await command.exited).toEqual({ code: 0, signal: null });
    expect(command.connectionLost).toBe(false);
  });

  it("passes a malformed line and raw bytes through untouched", async () => {
    const bytes = Buffer.concat([
      Buffer.from('{"type": "sample", "seq": \n'),
      Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
      Buffer.from("\n"),
    ]);
    const script = `import sys; sys.stdout.buffer.write(bytes.fromhex("${bytes.toString("hex")}"))`;
    const command = await transport.start(["python3", "-c", script]);
    command.stdin.end();
    const chunks: Buffer[] = [];
    for await (const chunk of command.stdout) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(bytes)).toBe(true);
    expect((await command.exited).code).toBe(0);
  });

  it("reports a non-zero exit status with its stderr", async () => {
    const result = await runCommand(transport, ["sh", "-c", "echo 'sudo: a password is required' >&2; exit 3"]);
    expect(result.exit).toEqual({ code: 3, signal: null });
    expect(result.stderr).toBe("sudo: a password is required\n");
  });

  it("reports a command killed by a signal", async () => {
    const result = await runCommand(transport, ["sh", "-c", "kill -KILL $$"]);
    expect(result.exit).toEqual({ code: null, signal: "SIGKILL" });
  });
});

describe("stop()", () => {
  it("ends a command that exits on stdin EOF, leaving no process behind", async () => {
    const started = server.processes.length;
    const command = await transport.start(["python3", "-c", "import sys\nfor _ in sys.stdin: pass"]);
    command.stdout.resume();
    command.stderr.resume();
    await waitFor(() => server.processes.length > started);
    const pid = server.processes.at(-1)!.pid!;
    expect(isAlive(pid)).toBe(true);
    await command.stop();
    expect((await command.exited).code).toBe(0); // it ended by itself: stdin EOF was enough
    await waitFor(() => !isAlive(pid));
    expect(isAlive(pid)).toBe(false);
  });

  it("signals TERM to a command that ignores stdin, leaving no process behind", async () => {
    const command = await transport.start(["sleep", "1000"]);
    command.stdout.resume();
    command.stderr.resume();
    await waitFor(() => server.commands.at(-1) === "'sleep' '1000'" && server.processes.at(-1)?.spawnfile === "bash");
    const pid = server.processes.at(-1)!.pid!;
    await command.stop();
    expect(await command.exited).toEqual({ code: null, signal: "SIGTERM" });
    await waitFor(() => !isAlive(pid));
    expect(isAlive(pid)).toBe(false);
  });

  it("is safe to call twice", async () => {
    const command = await transport.start(["cat"]);
    command.stdout.resume();
    command.stderr.resume();
    await Promise.all([command.stop(), command.stop()]);
    expect((await command.exited).code).toBe(0);
  });
});

/** Polls a condition (no timing assertion: vitest's own timeout bounds it). */
async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}
