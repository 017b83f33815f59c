// Host key checking against a real server: unknown, changed, hashed, revoked, and --accept-new.
// OpenSSH's ssh-keygen is the independent judge of fingerprints and of what was recorded.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT, RssdriftError } from "../../../src/errors.js";
import { runCommand } from "../../../src/transports/run-command.js";
import { defaultSshOptions, type SshOptions } from "../../../src/transports/ssh-options.js";
import { openSshTransport } from "../../../src/transports/ssh-transport.js";
import { makeKey, removeDir, startTestServer, tempDir, writeSshConfig, type KeyFiles, type TestServer } from "./ssh-test-server.js";

let dir: string;
let server: TestServer;
let hostKey: KeyFiles;
let otherKey: KeyFiles;
let userKey: KeyFiles;
let knownHosts: string;
let config: string;
let name: string;

beforeAll(async () => {
  dir = tempDir("ssh-host-keys");
  hostKey = makeKey(dir, "host_key");
  otherKey = makeKey(dir, "other_host_key");
  userKey = makeKey(dir, "user_key");
  server = await startTestServer({ hostKey, authorizedKeys: [userKey] });
  name = `[127.0.0.1]:${server.port}`;
  knownHosts = join(dir, "known_hosts");
  config = writeSshConfig(join(dir, "config"), {
    srv: { HostName: "127.0.0.1", Port: server.port, User: "tester", IdentityFile: userKey.path, UserKnownHostsFile: knownHosts },
    hashed: { HostName: "127.0.0.1", Port: server.port, User: "tester", IdentityFile: userKey.path, UserKnownHostsFile: knownHosts, HashKnownHosts: "yes" },
  });
});
afterAll(async () => {
  await server?.close();
  removeDir(dir);
});

const notices: string[] = [];
async function connect(alias: string, options: Partial<SshOptions> = {}): Promise<string> {
  const transport = await openSshTransport(alias, { ...defaultSshOptions(), configFile: config, ...options }, (line) => notices.push(line), {
    home: dir,
    env: { PATH: process.env.PATH },
  });
  try {
    return (await runCommand(transport, ["echo", "connected"])).stdout;
  } finally {
    await transport.close();
  }
}

async function refusal(alias: string, options: Partial<SshOptions> = {}): Promise<RssdriftError> {
  const error = await connect(alias, options).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(RssdriftError);
  return error as RssdriftError;
}

const typeAndBase64 = (key: KeyFiles) => key.publicLine.split(" ").slice(0, 2).join(" ");

describe("host keys", () => {
  it("refuses an unknown key, showing its SHA256 fingerprint and the --accept-new hint", async () => {
    writeFileSync(knownHosts, "");
    const error = await refusal("srv");
    expect(error.exitCode).toBe(EXIT.hostKey);
    expect(error.code).toBe("host-key-unknown");
    expect(error.message).toContain(name);
    expect(error.message).toContain(`ED25519 key ${hostKey.fingerprint}`);
    expect(error.hint).toContain("--accept-new");
    expect(server.users).toEqual([]); // nothing was sent before the key was checked
  });

  it("with --accept-new records a plain line, then connects without the flag", async () => {
    writeFileSync(knownHosts, "");
    expect(await connect("srv", { acceptNew: true })).toBe("connected\n");
    expect(readFileSync(knownHosts, "utf8")).toBe(`${name} ${typeAndBase64(hostKey)}\n`);
    expect(execFileSync("ssh-keygen", ["-F", name, "-f", knownHosts], { encoding: "utf8" })).toContain(typeAndBase64(hostKey));
    expect(notices.some((line) => line.includes(hostKey.fingerprint) && line.includes("plain"))).toBe(true);
    expect(await connect("srv")).toBe("connected\n");
  });

  it("with HashKnownHosts yes records a hashed line that ssh-keygen -F finds", async () => {
    writeFileSync(knownHosts, "");
    expect(await connect("hashed", { acceptNew: true })).toBe("connected\n");
    const line = readFileSync(knownHosts, "utf8");
    expect(line).toMatch(/^\|1\|[^ ]+ ssh-ed25519 /);
    expect(line).not.toContain("127.0.0.1");
    expect(execFileSync("ssh-keygen", ["-F", name, "-f", knownHosts], { encoding: "utf8" })).toContain(typeAndBase64(hostKey));
  });

  it("accepts a key recorded in a file hashed by ssh-keygen -H", async () => {
    writeFileSync(knownHosts, `${name} ${typeAndBase64(hostKey)}\n`);
    execFileSync("ssh-keygen", ["-q", "-H", "-f", knownHosts], { stdio: "ignore" });
    expect(readFileSync(knownHosts, "utf8")).toMatch(/^\|1\|/);
    expect(await connect("srv")).toBe("connected\n");
  });

  it("refuses a changed key loudly, with both fingerprints, even with --accept-new", async () => {
    const before = `# an old key\n${name} ${typeAndBase64(otherKey)}\n`;
    writeFileSync(knownHosts, before);
    for (const acceptNew of [false, true]) {
      const error = await refusal("srv", { acceptNew });
      expect(error.exitCode).toBe(EXIT.hostKey);
      expect(error.code).toBe("host-key-changed");
      expect(error.message).toMatch(/^WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED/);
      expect(error.message).toContain(hostKey.fingerprint);
      expect(error.message).toContain(otherKey.fingerprint);
      expect(error.message).toContain(`${knownHosts}:2`);
      expect(error.hint).toContain(`ssh-keygen -R '${name}'`);
    }
    expect(readFileSync(knownHosts, "utf8")).toBe(before);
  });

  it("refuses a key marked @revoked", async () => {
    writeFileSync(knownHosts, `${name} ${typeAndBase64(hostKey)}\n@revoked * ${typeAndBase64(hostKey)}\n`);
    const error = await refusal("srv", { acceptNew: true });
    expect(error.exitCode).toBe(EXIT.hostKey);
    expect(error.code).toBe("host-key-revoked");
  });

  it("is not confused by @cert-authority lines and another port's key", async () => {
    writeFileSync(knownHosts, `@cert-authority *.example.com ${typeAndBase64(otherKey)}\n127.0.0.1 ${typeAndBase64(otherKey)}\n${name} ${typeAndBase64(hostKey)}\n`);
    expect(await connect("srv")).toBe("connected\n");
  });

  it("uses --known-hosts instead of the config's file", async () => {
    const elsewhere = join(dir, "elsewhere");
    writeFileSync(elsewhere, `${name} ${typeAndBase64(hostKey)}\n`);
    writeFileSync(knownHosts, "");
    expect(await connect("srv", { knownHostsFile: elsewhere })).toBe("connected\n");
  });
});
