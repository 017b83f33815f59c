// The target user's login shell parses every exec request (sshd runs `$SHELL -c STRING`). A real
// ssh2 server whose login shell is tcsh or csh (bsd-csh) must run the helper's argv word for word:
// python3 -c BOOTSTRAP with its newlines, and words with `!`, which csh expands even in quotes.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { control, helperArgv, helperPreamble } from "../../../src/sources/helper-launch.js";
import { runCommand } from "../../../src/transports/run-command.js";
import { defaultSshOptions } from "../../../src/transports/ssh-options.js";
import { openSshTransport, type SshTransport } from "../../../src/transports/ssh-transport.js";
import { makeKey, removeDir, startTestServer, tempDir, writeSshConfig, type TestServer } from "./ssh-test-server.js";

/** A stand-in for helpers/rss_stat.py: echoes its argv, answers "sample", says bye on stdin EOF. */
const FAKE_HELPER = `
import json, sys
print(json.dumps({"type": "hello", "argv": sys.argv[1:]}), flush=True)
for line in sys.stdin:
    if line.strip() == "sample":
        print(json.dumps({"type": "sample"}), flush=True)
print(json.dumps({"type": "bye"}), flush=True)
`;

describe.each(["tcsh", "bsd-csh"])("over SSH to a user whose login shell is %s", (shell) => {
  let dir: string;
  let server: TestServer;
  let transport: SshTransport;

  beforeAll(async () => {
    dir = tempDir(`ssh-${shell}`);
    const hostKey = makeKey(dir, "host_key");
    const userKey = makeKey(dir, "user_key");
    server = await startTestServer({ hostKey, authorizedKeys: [userKey], shell });
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

  it("starts the helper (python3 -c BOOTSTRAP) with its argv intact and talks to it over stdin", async () => {
    const argv = helperArgv({ pid: 4321, intervalMs: 250, count: 2, smaps: true, sudo: false });
    const command = await transport.start(argv);
    command.stdin.write(helperPreamble(Buffer.from(FAKE_HELPER)));
    const lines = createInterface({ input: command.stdout })[Symbol.asyncIterator]();
    const next = async () => JSON.parse(((await lines.next()).value as string) ?? "null") as Record<string, unknown>;
    const bootstrapAt = argv.indexOf("-c") + 1;
    expect(await next()).toEqual({ type: "hello", argv: argv.slice(bootstrapAt + 1) });
    command.stdin.write(control.sampleNow);
    expect(await next()).toEqual({ type: "sample" });
    command.stdin.end();
    expect(await next()).toEqual({ type: "bye" });
    expect(await command.exited).toEqual({ code: 0, signal: null });
  });

  it("delivers words with newlines, ! and quotes exactly", async () => {
    const awkward = ["l1\nl2\n", "a!b", "!!", "it's", '"q"', "$HOME", "`id`", "a\\b", "*", "~", "é✓"];
    const { stdout, exit } = await runCommand(transport, ["printf", "%s\\0", ...awkward]);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(stdout.split("\0").slice(0, -1)).toEqual(awkward);
  });
});
