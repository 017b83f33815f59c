// A dropped link (the server destroys the socket) is reported, and the reconnecting transport
// makes a new connection with backoff, asking for nothing twice, but never past a changed host key.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { EXIT, RssdriftError } from "../../../src/errors.js";
import { runCommand } from "../../../src/transports/run-command.js";
import { defaultSshOptions } from "../../../src/transports/ssh-options.js";
import { ReconnectingSshTransport } from "../../../src/transports/ssh-reconnect.js";
import {
  isAlive,
  makeKey,
  removeDir,
  startTestServer,
  tempDir,
  writeSshConfig,
  type KeyFiles,
  type TestServer,
} from "./ssh-test-server.js";

let dir: string;
let hostKey: KeyFiles;
let otherHostKey: KeyFiles;
let userKey: KeyFiles;
let server: TestServer;
let config: string;
let transport: ReconnectingSshTransport | undefined;
const notices: string[] = [];
const fastPolicy = { firstDelayMs: 20, maxDelayMs: 160 };

beforeAll(async () => {
  dir = tempDir("ssh-reconnect");
  hostKey = makeKey(dir, "host_key");
  otherHostKey = makeKey(dir, "other_host_key");
  userKey = makeKey(dir, "user_key", { passphrase: "pass phrase" });
  server = await startTestServer({ hostKey, authorizedKeys: [userKey] });
  const knownHosts = join(dir, "known_hosts");
  writeFileSync(knownHosts, `[127.0.0.1]:${server.port} ${hostKey.publicLine}\n`);
  config = writeSshConfig(join(dir, "config"), {
    srv: { HostName: "127.0.0.1", Port: server.port, User: "tester", IdentityFile: userKey.path, UserKnownHostsFile: knownHosts },
  });
});
afterEach(async () => {
  await transport?.close();
  transport = undefined;
  notices.length = 0;
});
afterAll(async () => {
  await server?.close();
  removeDir(dir);
});

let prompts = 0;
async function open(): Promise<ReconnectingSshTransport> {
  transport = await ReconnectingSshTransport.open(
    "srv",
    { ...defaultSshOptions(), configFile: config },
    (line) => notices.push(line),
    {
      home: dir,
      env: { PATH: process.env.PATH },
      prompt: async () => {
        prompts++;
        return "pass phrase";
      },
    },
    fastPolicy,
  );
  return transport;
}

async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe("a dropped connection", () => {
  it("ends the running command as dropped; the next start reconnects and the old process got EOF", async () => {
    prompts = 0;
    const link = await open();
    const command = await link.start(["cat"]);
    command.stdout.resume();
    command.stderr.resume();
    await waitFor(() => server.commands.at(-1) === "'cat'" && server.processes.length > 0);
    const pid = server.processes.at(-1)!.pid!;
    server.dropConnections();
    expect(await command.exited).toEqual({ code: null, signal: null });
    expect(link.wasDropped(command)).toBe(true);
    await waitFor(() => !isAlive(pid)); // sshd-like: the channel closed, so cat saw EOF
    expect((await runCommand(link, ["echo", "back"])).stdout).toBe("back\n");
    expect(notices).toContain(`reconnecting to ${link.where} (attempt 1)…`);
    expect(notices).toContain(`reconnected to ${link.where}`);
    expect(prompts).toBe(1); // the key's passphrase was asked once, not again on reconnect
  });

  it("a command that simply exits is not dropped", async () => {
    const link = await open();
    const command = await link.start(["true"]);
    command.stdout.resume();
    command.stderr.resume();
    expect(await command.exited).toEqual({ code: 0, signal: null });
    expect(link.wasDropped(command)).toBe(false);
  });

  it("keeps trying with backoff while the server is down, and gets back when it returns", async () => {
    const link = await open();
    const port = server.port;
    await server.close();
    const reconnected = link.reconnect();
    await waitFor(() => notices.some((line) => line.includes("(attempt 3)")));
    server = await startTestServer({ hostKey, authorizedKeys: [userKey], port });
    await reconnected;
    expect(notices.filter((line) => line.startsWith("reconnecting")).length).toBeGreaterThanOrEqual(3);
    expect(notices.some((line) => line.includes("connection refused"))).toBe(true);
    expect((await runCommand(link, ["echo", "back"])).stdout).toBe("back\n");
  });

  it("does not retry past a changed host key", async () => {
    const link = await open();
    const port = server.port;
    await server.close();
    server = await startTestServer({ hostKey: otherHostKey, authorizedKeys: [userKey], port });
    const error = await link.reconnect().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RssdriftError);
    expect((error as RssdriftError).exitCode).toBe(EXIT.hostKey);
    expect(notices.filter((line) => line.startsWith("reconnecting")).length).toBe(1);
    await server.close();
    server = await startTestServer({ hostKey, authorizedKeys: [userKey], port });
  });

  it("stops trying when closed", async () => {
    const link = await open();
    const port = server.port;
    await server.close();
    const reconnected = link.reconnect().catch((caught: unknown) => caught);
    await waitFor(() => notices.some((line) => line.includes("(attempt 2)")));
    await link.close();
    const error = await reconnected;
    expect((error as RssdriftError).exitCode).toBe(EXIT.interrupted);
    server = await startTestServer({ hostKey, authorizedKeys: [userKey], port });
  });
});
