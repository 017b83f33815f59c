// Authentication and connection failures against real servers and a real ssh-agent.
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { createServer, type Server as NetServer } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT, RssdriftError } from "../../../src/errors.js";
import { runCommand } from "../../../src/transports/run-command.js";
import { defaultSshOptions, type SshOptions } from "../../../src/transports/ssh-options.js";
import { NoTerminalError } from "../../../src/transports/ssh-prompt.js";
import { openSshTransport, type SshEnvironment } from "../../../src/transports/ssh-transport.js";
import {
  makeKey,
  removeDir,
  startAgent,
  startTestServer,
  tempDir,
  writeSshConfig,
  type KeyFiles,
  type TestServer,
} from "./ssh-test-server.js";

let dir: string;
let server: TestServer;
let hostKey: KeyFiles;
let agentKey: KeyFiles;
let fileKey: KeyFiles;
let encryptedKey: KeyFiles;
let strangerKey: KeyFiles;
let agent: Awaited<ReturnType<typeof startAgent>>;
let knownHosts: string;
let silentServer: NetServer;
let silentPort: number;
let closedPort: number;

beforeAll(async () => {
  dir = tempDir("ssh-auth");
  hostKey = makeKey(dir, "host_key");
  agentKey = makeKey(dir, "agent_key");
  fileKey = makeKey(dir, "file_key", { type: "ecdsa" });
  encryptedKey = makeKey(dir, "encrypted_key", { passphrase: "correct horse" });
  strangerKey = makeKey(dir, "stranger_key");
  server = await startTestServer({ hostKey, authorizedKeys: [agentKey, fileKey, encryptedKey] });
  agent = await startAgent(dir, [agentKey]);
  knownHosts = join(dir, "known_hosts");
  writeFileSync(knownHosts, `[127.0.0.1]:${server.port} ${hostKey.publicLine}\n`);
  // accepts TCP and never says a word: a connect timeout
  silentServer = createServer((socket) => socket.resume());
  await new Promise<void>((resolve) => silentServer.listen(0, "127.0.0.1", resolve));
  silentPort = (silentServer.address() as { port: number }).port;
  // a port that was just free: connection refused
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  closedPort = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
});
afterAll(async () => {
  await agent?.stop();
  await server?.close();
  await new Promise((resolve) => silentServer?.close(resolve));
  removeDir(dir);
});

function configWith(settings: Record<string, string | number>): string {
  return writeSshConfig(join(dir, `config-${Math.random().toString(36).slice(2)}`), {
    srv: { HostName: "127.0.0.1", Port: server.port, User: "tester", UserKnownHostsFile: knownHosts, ...settings },
  });
}

async function tryConnect(
  settings: Record<string, string | number>,
  environment: SshEnvironment = {},
  options: Partial<SshOptions> = {},
  target = "srv",
): Promise<string | RssdriftError> {
  try {
    const transport = await openSshTransport(
      target,
      { ...defaultSshOptions(), configFile: configWith(settings), ...options },
      () => undefined,
      {
        home: dir,
        env: { PATH: process.env.PATH },
        ...environment,
      },
    );
    try {
      return (await runCommand(transport, ["echo", "in"])).stdout;
    } finally {
      await transport.close();
    }
  } catch (error) {
    if (error instanceof RssdriftError) return error;
    throw error;
  }
}

const refusedPrompt = async () => {
  throw new Error("no prompt expected");
};

describe("authentication", () => {
  it("uses a key held by ssh-agent (SSH_AUTH_SOCK)", async () => {
    expect(await tryConnect({}, { env: { PATH: process.env.PATH, SSH_AUTH_SOCK: agent.socket }, prompt: refusedPrompt })).toBe("in\n");
  });

  it("uses the config's IdentityFile", async () => {
    expect(await tryConnect({ IdentityFile: fileKey.path }, { prompt: refusedPrompt })).toBe("in\n");
  });

  it("tries -i before the config's IdentityFile", async () => {
    const before = server.users.length;
    expect(await tryConnect({ IdentityFile: strangerKey.path }, { prompt: refusedPrompt }, { identityFiles: [fileKey.path] })).toBe("in\n");
    expect(server.users.length).toBe(before + 1);
  });

  it("falls back to ~/.ssh/id_ecdsa when nothing names a key", async () => {
    const home = join(dir, "home");
    mkdirSync(join(home, ".ssh"), { recursive: true });
    copyFileSync(fileKey.path, join(home, ".ssh", "id_ecdsa"));
    expect(await tryConnect({}, { home, prompt: refusedPrompt })).toBe("in\n");
  });

  it("asks for an encrypted key's passphrase, again after a wrong one, and only once per key", async () => {
    const questions: string[] = [];
    const answers = ["wrong", "correct horse"];
    const prompt = async (question: string) => {
      questions.push(question);
      return answers.shift()!;
    };
    expect(await tryConnect({ IdentityFile: encryptedKey.path }, { prompt })).toBe("in\n");
    expect(questions).toEqual([`Enter passphrase for key '${encryptedKey.path}': `, "Bad passphrase, try again: "]);
  });

  it("connections sharing a key cache ask once, even when they reach the key together (fleet mode)", async () => {
    const keyCache = new Map();
    let asked = 0;
    const prompt = async () => {
      asked++;
      return "correct horse";
    };
    const settings = { IdentityFile: encryptedKey.path };
    expect(await Promise.all([tryConnect(settings, { prompt, keyCache }), tryConnect(settings, { prompt, keyCache })])).toEqual([
      "in\n",
      "in\n",
    ]);
    expect(await tryConnect(settings, { prompt, keyCache })).toBe("in\n");
    expect(asked).toBe(1);
  });

  it("does not ask for a passphrase when the agent's key is accepted first", async () => {
    const env = { PATH: process.env.PATH, SSH_AUTH_SOCK: agent.socket };
    expect(await tryConnect({ IdentityFile: encryptedKey.path }, { env, prompt: refusedPrompt })).toBe("in\n");
  });

  it("without a terminal, an encrypted key is one clear line and an SSH failure", async () => {
    const result = await tryConnect(
      { IdentityFile: encryptedKey.path },
      {
        prompt: async () => {
          throw new NoTerminalError();
        },
      },
    );
    expect(result).toBeInstanceOf(RssdriftError);
    const error = result as RssdriftError;
    expect(error.exitCode).toBe(EXIT.sshFailure);
    expect(error.message).toContain(`${encryptedKey.path} is encrypted and there is no terminal`);
    expect(error.message).not.toContain("\n");
  });

  it("BatchMode yes never asks for a passphrase", async () => {
    const error = (await tryConnect({ IdentityFile: encryptedKey.path, BatchMode: "yes" }, { prompt: refusedPrompt })) as RssdriftError;
    expect(error).toBeInstanceOf(RssdriftError);
    expect(error.message).toContain(`${encryptedKey.path} is encrypted and there is no terminal`);
  });

  it("a key the server does not accept is permission denied, naming what was tried", async () => {
    const error = (await tryConnect({ IdentityFile: strangerKey.path }, { prompt: refusedPrompt })) as RssdriftError;
    expect(error).toBeInstanceOf(RssdriftError);
    expect(error.exitCode).toBe(EXIT.sshFailure);
    expect(error.code).toBe("ssh-auth");
    expect(error.message).toContain(`permission denied on tester@srv (127.0.0.1:${server.port})`);
    expect(error.message).toContain(strangerKey.path);
  });

  it("IdentitiesOnly yes leaves the agent out", async () => {
    const env = { PATH: process.env.PATH, SSH_AUTH_SOCK: agent.socket };
    const error = (await tryConnect(
      { IdentityFile: strangerKey.path, IdentitiesOnly: "yes" },
      { env, prompt: refusedPrompt },
    )) as RssdriftError;
    expect(error.code).toBe("ssh-auth");
    expect(error.message).not.toContain("ssh-agent");
  });
});

describe("connection failures are one line naming host and port", () => {
  it("connection refused", async () => {
    const error = (await tryConnect({ Port: closedPort })) as RssdriftError;
    expect(error.exitCode).toBe(EXIT.sshFailure);
    expect(error.code).toBe("ssh-refused");
    expect(error.message).toContain(`127.0.0.1:${closedPort}`);
  });

  it("a host name that does not resolve", async () => {
    const error = (await tryConnect({ HostName: "no-such-host.invalid" })) as RssdriftError;
    expect(error.exitCode).toBe(EXIT.sshFailure);
    expect(error.code).toBe("ssh-dns");
    expect(error.message).toContain(`no-such-host.invalid:${server.port}`);
  });

  it("a server that never answers: timed out after ConnectTimeout", async () => {
    const error = (await tryConnect({ Port: silentPort, ConnectTimeout: 1 })) as RssdriftError;
    expect(error.exitCode).toBe(EXIT.sshFailure);
    expect(error.code).toBe("ssh-timeout");
    expect(error.message).toContain(`127.0.0.1:${silentPort}`);
  });

  it("a bad target is bad input", async () => {
    const error = (await tryConnect({}, {}, {}, "srv:notaport")) as RssdriftError;
    expect(error.exitCode).toBe(EXIT.badInput);
  });
});
