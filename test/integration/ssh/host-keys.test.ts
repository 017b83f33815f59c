// Host key checking against real servers, case by case as OpenSSH decides: unknown, changed,
// another key type on record, revoked, hashed, wildcard and negated patterns, [host]:port, CA
// lines, and --accept-new. OpenSSH's ssh-keygen is the independent judge of fingerprints and of
// what was recorded.
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
/** a server whose only host key is RSA */
let rsaServer: TestServer;
/** a server with an ED25519 and an RSA host key */
let bothServer: TestServer;
let hostKey: KeyFiles;
let otherKey: KeyFiles;
let rsaKey: KeyFiles;
let userKey: KeyFiles;
let knownHosts: string;
let config: string;
let name: string;
let rsaName: string;
let bothName: string;

beforeAll(async () => {
  dir = tempDir("ssh-host-keys");
  hostKey = makeKey(dir, "host_key");
  otherKey = makeKey(dir, "other_host_key");
  rsaKey = makeKey(dir, "rsa_host_key", { type: "rsa" });
  userKey = makeKey(dir, "user_key");
  server = await startTestServer({ hostKey, authorizedKeys: [userKey] });
  rsaServer = await startTestServer({ hostKey: rsaKey, authorizedKeys: [userKey] });
  bothServer = await startTestServer({ hostKey, moreHostKeys: [rsaKey], authorizedKeys: [userKey] });
  name = `[127.0.0.1]:${server.port}`;
  rsaName = `[127.0.0.1]:${rsaServer.port}`;
  bothName = `[127.0.0.1]:${bothServer.port}`;
  knownHosts = join(dir, "known_hosts");
  const common = { HostName: "127.0.0.1", User: "tester", IdentityFile: userKey.path, UserKnownHostsFile: knownHosts };
  config = writeSshConfig(join(dir, "config"), {
    srv: { ...common, Port: server.port },
    hashed: { ...common, Port: server.port, HashKnownHosts: "yes" },
    rsa: { ...common, Port: rsaServer.port },
    "rsa-accept-new": { ...common, Port: rsaServer.port, StrictHostKeyChecking: "accept-new" },
    both: { ...common, Port: bothServer.port },
  });
});
afterAll(async () => {
  await Promise.all([server?.close(), rsaServer?.close(), bothServer?.close()]);
  removeDir(dir);
});

const notices: string[] = [];
async function connect(alias: string, options: Partial<SshOptions> = {}): Promise<string> {
  const transport = await openSshTransport(
    alias,
    { ...defaultSshOptions(), configFile: config, ...options },
    (line) => notices.push(line),
    {
      home: dir,
      env: { PATH: process.env.PATH },
    },
  );
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
    writeFileSync(
      knownHosts,
      `@cert-authority *.example.com ${typeAndBase64(otherKey)}\n127.0.0.1 ${typeAndBase64(otherKey)}\n${name} ${typeAndBase64(hostKey)}\n`,
    );
    expect(await connect("srv")).toBe("connected\n");
  });

  it("refuses an RSA key when an ED25519 key is on record, even with --accept-new or StrictHostKeyChecking accept-new", async () => {
    const before = `${rsaName} ${typeAndBase64(hostKey)}\n`;
    writeFileSync(knownHosts, before);
    for (const [alias, acceptNew] of [
      ["rsa", false],
      ["rsa", true],
      ["rsa-accept-new", false],
    ] as const) {
      const error = await refusal(alias, { acceptNew });
      expect(error.exitCode).toBe(EXIT.hostKey);
      expect(error.code).toBe("host-key-changed");
      expect(error.message).toMatch(/^WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED/);
      expect(error.message).toContain(`RSA key ${rsaKey.fingerprint}`);
      expect(error.message).toContain(`${knownHosts}:1 has its ED25519 key ${hostKey.fingerprint}`);
      expect(error.message).not.toContain("\n");
    }
    expect(readFileSync(knownHosts, "utf8")).toBe(before); // nothing recorded
    expect(rsaServer.users).toEqual([]); // nothing was sent
  });

  it("matches a server with both key types on the recorded type, whichever it is", async () => {
    for (const recorded of [rsaKey, hostKey]) {
      const before = `${bothName} ${typeAndBase64(recorded)}\n`;
      writeFileSync(knownHosts, before);
      expect(await connect("both")).toBe("connected\n");
      expect(readFileSync(knownHosts, "utf8")).toBe(before);
    }
  });

  it("with nothing on record, records the key the server offers first by default (ED25519)", async () => {
    writeFileSync(knownHosts, "");
    expect(await connect("both", { acceptNew: true })).toBe("connected\n");
    expect(readFileSync(knownHosts, "utf8")).toBe(`${bothName} ${typeAndBase64(hostKey)}\n`);
  });

  it("refuses a key marked @revoked under a hashed name, with no other line, even with --accept-new", async () => {
    // ssh-keygen -H leaves marked lines alone: hash a plain line, then mark it
    writeFileSync(knownHosts, `${name} ${typeAndBase64(hostKey)}\n`);
    execFileSync("ssh-keygen", ["-q", "-H", "-f", knownHosts], { stdio: "ignore" });
    writeFileSync(knownHosts, `@revoked ${readFileSync(knownHosts, "utf8")}`);
    expect(readFileSync(knownHosts, "utf8")).toMatch(/^@revoked \|1\|/);
    const error = await refusal("srv", { acceptNew: true });
    expect(error.exitCode).toBe(EXIT.hostKey);
    expect(error.code).toBe("host-key-revoked");
  });

  it("follows wildcard and negated patterns", async () => {
    writeFileSync(knownHosts, `[127.0.0.?]:${server.port} ${typeAndBase64(hostKey)}\n`);
    expect(await connect("srv")).toBe("connected\n");
    // the line that would object is ruled out for this host by its negation: the key is merely unknown
    writeFileSync(knownHosts, `[127.0.0.*]:*,!${name} ${typeAndBase64(otherKey)}\n`);
    expect((await refusal("srv")).code).toBe("host-key-unknown");
    writeFileSync(knownHosts, `[127.0.0.*]:* ${typeAndBase64(otherKey)}\n`);
    expect((await refusal("srv")).code).toBe("host-key-changed");
  });

  it("accepts the bare host's key on another port, as OpenSSH does", async () => {
    writeFileSync(knownHosts, `127.0.0.1 ${typeAndBase64(hostKey)}\n`);
    expect(await connect("srv")).toBe("connected\n");
  });

  it("refuses a host that a @cert-authority line vouches for, with one line, even with --accept-new", async () => {
    const before = `@cert-authority ${name} ${typeAndBase64(otherKey)}\n`;
    writeFileSync(knownHosts, before);
    const error = await refusal("srv", { acceptNew: true });
    expect(error.exitCode).toBe(EXIT.hostKey);
    expect(error.code).toBe("host-key-certificate");
    expect(error.message).toContain(`@cert-authority in ${knownHosts}:1`);
    expect(error.message).toContain(hostKey.fingerprint);
    expect(error.message).not.toContain("\n");
    expect(readFileSync(knownHosts, "utf8")).toBe(before);
  });

  it("refuses a directory as --known-hosts with one line (exit 2)", async () => {
    const error = await refusal("srv", { knownHostsFile: dir });
    expect(error.exitCode).toBe(EXIT.badInput);
    expect(error.message).toBe(`the known_hosts file ${dir} is a directory, not a file`);
  });

  it("uses --known-hosts instead of the config's file", async () => {
    const elsewhere = join(dir, "elsewhere");
    writeFileSync(elsewhere, `${name} ${typeAndBase64(hostKey)}\n`);
    writeFileSync(knownHosts, "");
    expect(await connect("srv", { knownHostsFile: elsewhere })).toBe("connected\n");
  });
});
