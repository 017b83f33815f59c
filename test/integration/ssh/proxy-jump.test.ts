// ProxyJump through a second real server: the target is reached over the jump host's forwarded
// channel (direct-tcpip), and both host keys are checked.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT, RssdriftError } from "../../../src/errors.js";
import { runCommand } from "../../../src/transports/run-command.js";
import { defaultSshOptions } from "../../../src/transports/ssh-options.js";
import { openSshTransport } from "../../../src/transports/ssh-transport.js";
import { makeKey, removeDir, startTestServer, tempDir, writeSshConfig, type KeyFiles, type TestServer } from "./ssh-test-server.js";

let dir: string;
let jump: TestServer;
let jump2: TestServer;
let target: TestServer;
let keys: Record<string, KeyFiles>;
let knownHosts: string;
let config: string;

beforeAll(async () => {
  dir = tempDir("ssh-jump");
  keys = {
    jumpHost: makeKey(dir, "jump_host_key"),
    jump2Host: makeKey(dir, "jump2_host_key"),
    targetHost: makeKey(dir, "target_host_key"),
    user: makeKey(dir, "user_key"),
  };
  jump = await startTestServer({ hostKey: keys.jumpHost!, authorizedKeys: [keys.user!] });
  jump2 = await startTestServer({ hostKey: keys.jump2Host!, authorizedKeys: [keys.user!] });
  target = await startTestServer({ hostKey: keys.targetHost!, authorizedKeys: [keys.user!] });
  knownHosts = join(dir, "known_hosts");
  const common = { HostName: "127.0.0.1", IdentityFile: keys.user!.path, UserKnownHostsFile: knownHosts };
  config = writeSshConfig(join(dir, "config"), {
    jumpbox: { ...common, Port: jump.port, User: "jumper" },
    jumpbox2: { ...common, Port: jump2.port, User: "jumper2" },
    inner: { ...common, Port: target.port, User: "tester", ProxyJump: "jumpbox" },
    "inner-two-hops": { ...common, Port: target.port, User: "tester", ProxyJump: "jumpbox,jumpbox2" },
    unreachable: { ...common, Port: 1, User: "tester", ProxyJump: "jumpbox" },
  });
});
afterAll(async () => {
  await Promise.all([jump?.close(), jump2?.close(), target?.close()]);
  removeDir(dir);
});

function recordAll(): void {
  writeFileSync(
    knownHosts,
    [
      `[127.0.0.1]:${jump.port} ${keys.jumpHost!.publicLine}`,
      `[127.0.0.1]:${jump2.port} ${keys.jump2Host!.publicLine}`,
      `[127.0.0.1]:${target.port} ${keys.targetHost!.publicLine}`,
      "",
    ].join("\n"),
  );
}

async function hostnameVia(alias: string): Promise<string> {
  const transport = await openSshTransport(alias, { ...defaultSshOptions(), configFile: config }, () => undefined, {
    home: dir,
    env: { PATH: process.env.PATH },
  });
  try {
    return (await runCommand(transport, ["echo", "ran on the target"])).stdout;
  } finally {
    await transport.close();
  }
}

describe("ProxyJump", () => {
  it("reaches the target through the jump host's forwarded channel", async () => {
    recordAll();
    const jumpCommands = jump.commands.length;
    expect(await hostnameVia("inner")).toBe("ran on the target\n");
    expect(jump.users).toContain("jumper");
    expect(jump.forwards).toContain(`127.0.0.1:${target.port}`);
    expect(jump.commands.length).toBe(jumpCommands); // nothing ran on the jump host
    expect(target.users).toContain("tester");
    expect(target.commands.at(-1)).toBe("'echo' 'ran on the target'");
  });

  it("goes through two hops in order (ProxyJump a,b)", async () => {
    recordAll();
    expect(await hostnameVia("inner-two-hops")).toBe("ran on the target\n");
    expect(jump.forwards).toContain(`127.0.0.1:${jump2.port}`);
    expect(jump2.forwards).toContain(`127.0.0.1:${target.port}`);
  });

  it("checks the jump host's key too", async () => {
    writeFileSync(knownHosts, `[127.0.0.1]:${target.port} ${keys.targetHost!.publicLine}\n`);
    const error = await hostnameVia("inner").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RssdriftError);
    expect((error as RssdriftError).exitCode).toBe(EXIT.hostKey);
    expect((error as RssdriftError).message).toContain(`[127.0.0.1]:${jump.port}`);
    expect((error as RssdriftError).message).toContain(keys.jumpHost!.fingerprint);
  });

  it("says when the jump host cannot reach the target", async () => {
    recordAll();
    const error = (await hostnameVia("unreachable").catch((caught: unknown) => caught)) as RssdriftError;
    expect(error).toBeInstanceOf(RssdriftError);
    expect(error.exitCode).toBe(EXIT.sshFailure);
    expect(error.message).toMatch(/^jump host jumper@jumpbox \(127\.0\.0\.1:\d+\) could not reach 127\.0\.0\.1:1/);
  });
});
