// The SSH config resolution, two ways: OpenSSH's own `ssh -G` (the reference) and the built-in
// parser used where OpenSSH is missing. The parser is checked against ssh -G on the same files.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../errors.js";
import { evaluateSshConfig, expandPath, hostConfigFromSshG, parseSshGOutput, patternListMatches, resolveSshConfig } from "./ssh-config.js";

let dir: string;
let config: string;
// ssh -G expands ~ with the passwd home, so both paths are given that one
const environment = { home: userInfo().homedir, localUser: "localme" };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "rssdrift-ssh-config-"));
  mkdirSync(join(dir, "conf.d"));
  writeFileSync(join(dir, "conf.d", "10-lab.conf"), ["Host lab-*", "  User labuser", "  Port 2201", ""].join("\n"));
  writeFileSync(join(dir, "conf.d", "20-more.conf"), ["Host lab-special", "  User special", ""].join("\n"));
  writeFileSync(join(dir, "conf.d", "ignored.txt"), "Host lab-*\n  User never\n");
  config = join(dir, "config");
  writeFileSync(
    config,
    [
      "# the user's config",
      `Include ${join(dir, "conf.d", "*.conf")}`,
      "",
      "Host db1",
      "  HostName 10.1.2.3",
      "  User dbadmin",
      "  Port 2222",
      `  IdentityFile ${join(dir, "db1_key")}`,
      "  IdentityFile ~/.ssh/%h_%r_key",
      "  ProxyJump jumpuser@bastion:2200",
      `  UserKnownHostsFile ${join(dir, "kh1")} ${join(dir, "kh2")}`,
      "",
      "Host web? !web9",
      "  HostName %h.example.com",
      "  User=webop",
      "",
      "Host *.internal",
      "  ProxyJump hop1,hop2",
      "  StrictHostKeyChecking accept-new",
      "  HashKnownHosts yes",
      "",
      "Host *",
      "  User everyone",
      "  ServerAliveInterval 15",
      "  ConnectTimeout 7",
      "",
    ].join("\n"),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const viaOpenSsh = (host: string, overrides: { user?: string; port?: number } = {}) =>
  resolveSshConfig({ host, ...overrides }, config, { ...environment, sshBinary: "ssh" });
const viaParser = (host: string, overrides: { user?: string; port?: number } = {}) =>
  resolveSshConfig({ host, ...overrides }, config, { ...environment, sshBinary: null });

/** The fields both ways must agree on. */
const essentials = ({ source: _source, globalKnownHostsFiles: _global, ...rest }: ReturnType<typeof viaParser>) => rest;

describe("resolveSshConfig with ssh -G", () => {
  it("applies HostName, User, Port, IdentityFile (with %-tokens), ProxyJump and UserKnownHostsFile", () => {
    const db1 = viaOpenSsh("db1");
    expect(db1.source).toBe("ssh -G");
    expect(db1).toMatchObject({
      alias: "db1",
      hostname: "10.1.2.3",
      user: "dbadmin",
      port: 2222,
      identityFiles: [join(dir, "db1_key"), join(environment.home, ".ssh", "10.1.2.3_dbadmin_key")],
      proxyJump: ["jumpuser@bastion:2200"],
      userKnownHostsFiles: [join(dir, "kh1"), join(dir, "kh2")],
      serverAliveIntervalSeconds: 15,
      connectTimeoutSeconds: 7,
    });
  });

  it("lets the command line's user and port win over the config", () => {
    expect(viaOpenSsh("db1", { user: "root", port: 22 })).toMatchObject({ user: "root", port: 22, hostname: "10.1.2.3" });
  });

  it("does not count OpenSSH's built-in default identities as configured", () => {
    expect(viaOpenSsh("plainhost").identityFiles).toEqual([]);
  });

  it("turns a bad config into a bad-input error naming the problem", () => {
    const broken = join(dir, "broken");
    writeFileSync(broken, "Host x\n  NoSuchOption yes\n");
    expect(() => resolveSshConfig({ host: "x" }, broken, { ...environment, sshBinary: "ssh" })).toThrow(
      expect.objectContaining({ exitCode: EXIT.badInput, message: expect.stringMatching(/NoSuchOption|Bad configuration/i) }),
    );
  });
});

describe("the built-in parser agrees with ssh -G", () => {
  it.each(["db1", "web1", "web9", "webby", "lab-one", "lab-special", "box.internal", "plainhost"])("for %s", (host) => {
    expect(essentials(viaParser(host))).toEqual(essentials(viaOpenSsh(host)));
  });

  it("with a user and port from the command line", () => {
    expect(essentials(viaParser("lab-one", { user: "u", port: 2 }))).toEqual(essentials(viaOpenSsh("lab-one", { user: "u", port: 2 })));
  });

  it("and names its source", () => {
    expect(viaParser("db1").source).toBe("config parser");
  });
});

describe("parser details", () => {
  it("matches Host patterns with wildcards and negation", () => {
    expect(patternListMatches(["web?", "!web9"], "web1")).toBe(true);
    expect(patternListMatches(["web?", "!web9"], "web9")).toBe(false);
    expect(patternListMatches(["*.internal"], "a.b.internal")).toBe(true);
    expect(patternListMatches(["db1,db2"], "db2")).toBe(true);
  });

  it("evaluates Match host and Match all blocks", () => {
    const file = join(dir, "match");
    writeFileSync(
      file,
      ["Host alias1", "  HostName real1", "Match host real1", "  Port 2022", "Match all", "  User fallback", ""].join("\n"),
    );
    expect(evaluateSshConfig([file], "alias1", {}, environment)).toMatchObject({ hostname: "real1", port: 2022, user: "fallback" });
    expect(evaluateSshConfig([file], "other", {}, environment)).toMatchObject({ hostname: "other", port: 22, user: "fallback" });
  });

  it("uses the local user and port 22 when nothing is configured", () => {
    expect(evaluateSshConfig([join(dir, "missing")], "h", {}, environment)).toMatchObject({ user: "localme", port: 22, hostname: "h" });
  });

  it("expands ~ and tokens in paths", () => {
    const context = { home: "/home/me", localUser: "me", alias: "a", hostname: "h.example", port: 2200, user: "r" };
    expect(expandPath("~/.ssh/%h-%p-%r-%u-%n-%%", context)).toBe("/home/me/.ssh/h.example-2200-r-me-a-%");
  });
});

describe("parseSshGOutput", () => {
  it("keeps repeated keywords in order and lower-cases keywords", () => {
    const values = parseSshGOutput("User bob\nidentityfile ~/.ssh/a\nidentityfile ~/.ssh/b\nuserknownhostsfile /x /y\n");
    expect(values.get("user")).toEqual(["bob"]);
    expect(values.get("identityfile")).toEqual(["~/.ssh/a", "~/.ssh/b"]);
    expect(hostConfigFromSshG("userknownhostsfile /x /y\n", "h", environment).userKnownHostsFiles).toEqual(["/x", "/y"]);
  });
});
