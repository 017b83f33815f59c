import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SshHostConfig } from "./ssh-config.js";
import { describeWhere, identityFilesFor, preferredHostKeyAlgorithms } from "./ssh-connect.js";
import { defaultSshOptions } from "./ssh-options.js";

let home: string;
beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), "rssdrift-ssh-connect-"));
  mkdirSync(join(home, ".ssh"));
  for (const name of ["id_rsa", "id_ed25519"]) writeFileSync(join(home, ".ssh", name), "");
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

const config = (fields: Partial<SshHostConfig> = {}): SshHostConfig => ({
  alias: "db1",
  hostname: "db1",
  port: 22,
  user: "root",
  identityFiles: [],
  identitiesOnly: false,
  proxyJump: [],
  userKnownHostsFiles: [],
  globalKnownHostsFiles: [],
  hashKnownHosts: false,
  strictHostKeyChecking: "ask",
  serverAliveIntervalSeconds: 0,
  serverAliveCountMax: 3,
  batchMode: false,
  source: "config parser",
  ...fields,
});

describe("identityFilesFor", () => {
  it("uses the default keys that exist, ed25519 first, when nothing names one", () => {
    expect(identityFilesFor(config(), defaultSshOptions(), home)).toEqual([join(home, ".ssh", "id_ed25519"), join(home, ".ssh", "id_rsa")]);
  });

  it("puts -i first, then the config's files, and no defaults (as OpenSSH does)", () => {
    const options = { ...defaultSshOptions(), identityFiles: ["/k/cli"] };
    expect(identityFilesFor(config({ identityFiles: ["/k/config", "/k/cli"] }), options, home)).toEqual(["/k/cli", "/k/config"]);
  });
});

describe("preferredHostKeyAlgorithms", () => {
  it("asks first for the key types on record", () => {
    expect(preferredHostKeyAlgorithms(["ssh-rsa"]).slice(0, 3)).toEqual(["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"]);
    expect(preferredHostKeyAlgorithms(["ecdsa-sha2-nistp256"])[0]).toBe("ecdsa-sha2-nistp256");
  });

  it("keeps ssh2's order when nothing is on record, and offers every algorithm once", () => {
    const none = preferredHostKeyAlgorithms([]);
    expect(none[0]).toBe("ssh-ed25519");
    expect(new Set(preferredHostKeyAlgorithms(["ssh-rsa"]))).toEqual(new Set(none));
  });
});

describe("describeWhere", () => {
  it("names user, host and port, and the alias when it differs", () => {
    expect(describeWhere(config())).toBe("root@db1:22");
    expect(describeWhere(config({ alias: "lab", hostname: "127.0.0.1", port: 2222 }))).toBe("root@lab (127.0.0.1:2222)");
  });
});
