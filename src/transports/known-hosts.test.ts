// known_hosts parsing and checking, with OpenSSH's own ssh-keygen as the independent judge of
// hashing, fingerprints and what a recorded line means.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT, RssdriftError } from "../errors.js";
import {
  checkHostKey,
  fingerprintSha256,
  hostFieldMatches,
  hostKeyNames,
  keyTypeOf,
  knownHostsLine,
  knownHostsName,
  knownKeyTypes,
  parseKnownHosts,
  readKnownHosts,
  recordHostKey,
} from "./known-hosts.js";

let dir: string;
const keys: Record<string, { line: string; blob: Buffer; fingerprint: string }> = {};

function makeKey(name: string, type: string): void {
  const path = join(dir, name);
  execFileSync("ssh-keygen", ["-q", "-t", type, "-N", "", "-C", "", "-f", path]);
  const line = readFileSync(`${path}.pub`, "utf8").trim();
  // ssh-keygen -l prints "256 SHA256:... (ED25519)": the fingerprint OpenSSH itself computes
  const fingerprint = execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", `${path}.pub`], { encoding: "utf8" }).split(" ")[1]!;
  keys[name] = { line, blob: Buffer.from(line.split(" ")[1]!, "base64"), fingerprint };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "rssdrift-known-hosts-"));
  makeKey("ed1", "ed25519");
  makeKey("ed2", "ed25519");
  makeKey("ec1", "ecdsa");
  makeKey("rsa1", "rsa");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const typeAndBase64 = (name: string) => keys[name]!.line.split(" ").slice(0, 2).join(" ");

describe("fingerprints and key types", () => {
  it("computes the same SHA256 fingerprint as ssh-keygen -l", () => {
    for (const name of ["ed1", "ec1", "rsa1"]) expect(fingerprintSha256(keys[name]!.blob)).toBe(keys[name]!.fingerprint);
  });

  it("reads the key type from the blob", () => {
    expect(keyTypeOf(keys.ed1!.blob)).toBe("ssh-ed25519");
    expect(keyTypeOf(keys.ec1!.blob)).toBe("ecdsa-sha2-nistp256");
    expect(keyTypeOf(keys.rsa1!.blob)).toBe("ssh-rsa");
  });
});

describe("knownHostsName and hostKeyNames", () => {
  it("writes [host]:port for ports other than 22, in lower case", () => {
    expect(knownHostsName("db1", 22)).toBe("db1");
    expect(knownHostsName("127.0.0.1", 2222)).toBe("[127.0.0.1]:2222");
    expect(knownHostsName("DB1.Example.COM", 22)).toBe("db1.example.com");
  });

  it("looks a host up under [host]:port, then the bare host; under a HostKeyAlias alone", () => {
    expect(hostKeyNames("db1", 22)).toEqual(["db1"]);
    expect(hostKeyNames("db1", 2222)).toEqual(["[db1]:2222", "db1"]);
    expect(hostKeyNames("db1", 2222, "Backup-Alias")).toEqual(["backup-alias"]);
  });
});

describe("hostFieldMatches", () => {
  it.each([
    ["db1,db2", "db2", true],
    ["db1,db2", "db3", false],
    ["*.example.com", "web.example.com", true],
    ["*.example.com,!bad.example.com", "bad.example.com", false],
    ["db?", "db7", true],
    ["db?", "db17", false],
    ["[127.0.0.1]:2222", "[127.0.0.1]:2222", true],
    ["127.0.0.1", "[127.0.0.1]:2222", false],
    ["DB1", "db1", true],
  ])("%s vs %s → %s", (hosts, name, expected) => {
    expect(hostFieldMatches(hosts, name)).toBe(expected);
  });

  it("matches lines hashed by ssh-keygen -H", () => {
    const file = join(dir, "hash-me");
    writeFileSync(file, `[127.0.0.1]:2222 ${typeAndBase64("ed1")}\ndb1 ${typeAndBase64("ec1")}\n`);
    execFileSync("ssh-keygen", ["-q", "-H", "-f", file], { stdio: "ignore" });
    const entries = parseKnownHosts(readFileSync(file, "utf8"), file);
    expect(entries.map((entry) => entry.hosts.startsWith("|1|"))).toEqual([true, true]);
    expect(hostFieldMatches(entries[0]!.hosts, "[127.0.0.1]:2222")).toBe(true);
    expect(hostFieldMatches(entries[0]!.hosts, "127.0.0.1")).toBe(false);
    expect(hostFieldMatches(entries[1]!.hosts, "db1")).toBe(true);
    expect(checkHostKey(entries, ["db1"], keys.ec1!.blob).status).toBe("known");
  });
});

describe("parseKnownHosts", () => {
  it("keeps markers, skips comments, blank and malformed lines, numbers lines from 1", () => {
    const text = [
      "# a comment",
      "",
      `db1 ${typeAndBase64("ed1")} a comment here`,
      `@revoked * ${typeAndBase64("ed2")}`,
      `@cert-authority *.example.com ${typeAndBase64("ec1")}`,
      "@future-marker db1 ssh-ed25519 AAAA",
      "onlyahost",
      "db2 ssh-ed25519 not*base64",
    ].join("\n");
    const entries = parseKnownHosts(text, "kh");
    expect(entries.map((entry) => [entry.marker, entry.hosts, entry.line])).toEqual([
      [null, "db1", 3],
      ["revoked", "*", 4],
      ["cert-authority", "*.example.com", 5],
    ]);
  });
});

describe("checkHostKey, case by case as OpenSSH decides", () => {
  const entriesFor = (lines: string[]) => parseKnownHosts(lines.join("\n"), "kh");
  const check = (lines: string[], names: string[], key: string) => checkHostKey(entriesFor(lines), names, keys[key]!.blob);

  it("knows a recorded key", () => {
    expect(check([`db1 ${typeAndBase64("ed1")}`], ["db1"], "ed1")).toMatchObject({ status: "known", entry: { line: 1 } });
  });

  it("calls a host with nothing on record unknown", () => {
    expect(check([`db2 ${typeAndBase64("ed1")}`], ["db1"], "ed1")).toEqual({ status: "unknown" });
    expect(check([], ["db1"], "ed1")).toEqual({ status: "unknown" });
  });

  it("calls a different key of the same type changed, pointing at the old line", () => {
    const verdict = check(["# x", `db1 ${typeAndBase64("ed1")}`], ["db1"], "ed2");
    expect(verdict.status).toBe("changed");
    if (verdict.status === "changed") {
      expect(verdict.entry.line).toBe(2);
      expect(fingerprintSha256(verdict.entry.key)).toBe(keys.ed1!.fingerprint);
    }
  });

  it("calls a key of a type not on record changed, not unknown: RSA offered, ED25519 recorded", () => {
    const verdict = check([`db1 ${typeAndBase64("ed1")}`], ["db1"], "rsa1");
    expect(verdict.status).toBe("changed");
    if (verdict.status === "changed") expect(keyTypeOf(verdict.entry.key)).toBe("ssh-ed25519");
  });

  it("names the recorded key of the offered type when several types are on record", () => {
    const verdict = check([`db1 ${typeAndBase64("ec1")}`, `db1 ${typeAndBase64("ed1")}`], ["db1"], "ed2");
    expect(verdict).toMatchObject({ status: "changed", entry: { line: 2 } });
  });

  it("knows any one of several recorded keys", () => {
    expect(check([`db1 ${typeAndBase64("ed1")}`, `db1 ${typeAndBase64("rsa1")}`], ["db1"], "rsa1").status).toBe("known");
  });

  it("refuses a revoked key, whether or not it is also recorded as known", () => {
    expect(check([`db1 ${typeAndBase64("ed1")}`, `@revoked * ${typeAndBase64("ed1")}`], ["db1"], "ed1").status).toBe("revoked");
    expect(check([`@revoked db1 ${typeAndBase64("ed1")}`], ["db1"], "ed1").status).toBe("revoked");
    expect(check([`@revoked db1 ${typeAndBase64("ed1")}`], ["db2"], "ed1").status).toBe("unknown");
  });

  it("matches wildcard (* and ?) and case-insensitive patterns", () => {
    expect(check([`*.example.com ${typeAndBase64("ed1")}`], ["web.example.com"], "ed1").status).toBe("known");
    expect(check([`db? ${typeAndBase64("ed1")}`], ["db7"], "ed1").status).toBe("known");
    expect(check([`db? ${typeAndBase64("ed1")}`], ["db17"], "ed1").status).toBe("unknown");
    expect(check([`*.example.com ${typeAndBase64("ed1")}`], ["web.example.com"], "ed2").status).toBe("changed");
  });

  it("lets a negated pattern rule a host out of a line, so that line neither vouches nor objects", () => {
    const lines = [`*.example.com,!bad.example.com ${typeAndBase64("ed1")}`];
    expect(check(lines, ["bad.example.com"], "ed1").status).toBe("unknown");
    expect(check(lines, ["bad.example.com"], "ed2").status).toBe("unknown");
    expect(check(lines, ["good.example.com"], "ed1").status).toBe("known");
    expect(check([`!db1 ${typeAndBase64("ed1")}`], ["db2"], "ed1").status).toBe("unknown"); // a negation alone matches nothing
  });

  it("keeps [host]:port apart from other ports, yet accepts the bare host's key as OpenSSH does", () => {
    const bare = [`db1 ${typeAndBase64("ed1")}`];
    expect(check(bare, hostKeyNames("db1", 2222), "ed1").status).toBe("known");
    expect(check(bare, hostKeyNames("db1", 2222), "ed2").status).toBe("unknown"); // the bare host's other key does not object
    expect(check(bare, hostKeyNames("db1", 2222, "alias"), "ed1").status).toBe("unknown"); // an alias has no fallback
    const ported = [`[db1]:2222 ${typeAndBase64("ed1")}`];
    expect(check(ported, hostKeyNames("db1", 2222), "ed2").status).toBe("changed");
    expect(check(ported, hostKeyNames("db1", 2223), "ed2").status).toBe("unknown");
    expect(check(ported, hostKeyNames("db1", 22), "ed1").status).toBe("unknown");
    expect(check([`[db1]:2222 ${typeAndBase64("ed2")}`, ...bare], hostKeyNames("db1", 2222), "ed1").status).toBe("changed");
    expect(check([...bare, `@revoked db1 ${typeAndBase64("ed1")}`], hostKeyNames("db1", 2222), "ed1").status).toBe("revoked");
  });

  it("matches hashed names, ports included, and never the wrong one", () => {
    const salt = Buffer.alloc(20, 7);
    const lines = [knownHostsLine("[db1]:2222", keys.ed1!.blob, true, salt)];
    expect(check(lines, ["[db1]:2222"], "ed1").status).toBe("known");
    expect(check(lines, ["[db1]:2222"], "rsa1").status).toBe("changed");
    expect(check(lines, ["db1"], "ed1").status).toBe("unknown");
  });

  it("never takes a @cert-authority key for a host key, and says a CA is on record", () => {
    expect(check([`@cert-authority db1 ${typeAndBase64("ed1")}`], ["db1"], "ed1")).toMatchObject({
      status: "unknown",
      certAuthority: { line: 1 },
    });
    expect(check([`@cert-authority *.example.com ${typeAndBase64("ed1")}`], ["db1"], "ed1")).toEqual({ status: "unknown" });
    expect(check([`@cert-authority db1 ${typeAndBase64("ec1")}`, `db1 ${typeAndBase64("ed1")}`], ["db1"], "ed1").status).toBe("known");
  });

  it("lists the key types on record for a host, under its first name that has any", () => {
    const entries = entriesFor([
      `db1 ${typeAndBase64("rsa1")}`,
      `db1,db2 ${typeAndBase64("ed1")}`,
      `db3 ${typeAndBase64("ec1")}`,
      `@cert-authority db1 ${typeAndBase64("ec1")}`,
    ]);
    expect(knownKeyTypes(entries, ["db1"])).toEqual(["ssh-rsa", "ssh-ed25519"]);
    expect(knownKeyTypes(entries, ["[db3]:2222", "db3"])).toEqual(["ecdsa-sha2-nistp256"]);
    expect(knownKeyTypes(entries, ["db9"])).toEqual([]);
  });
});

describe("readKnownHosts", () => {
  it("reads a missing file as empty and refuses a directory with one line (exit 2)", () => {
    expect(readKnownHosts([join(dir, "no-such-file")])).toEqual([]);
    const error = (() => {
      try {
        readKnownHosts([dir]);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(RssdriftError);
    expect((error as RssdriftError).exitCode).toBe(EXIT.badInput);
    expect((error as RssdriftError).message).toBe(`the known_hosts file ${dir} is a directory, not a file`);
  });
});

describe("recording a host key", () => {
  it("writes a plain line that ssh-keygen -F finds", () => {
    const file = join(dir, "sub", "known_hosts");
    recordHostKey(file, "[127.0.0.1]:2222", keys.ed1!.blob, false);
    expect(readFileSync(file, "utf8")).toBe(`[127.0.0.1]:2222 ${typeAndBase64("ed1")}\n`);
    const found = execFileSync("ssh-keygen", ["-F", "[127.0.0.1]:2222", "-f", file], { encoding: "utf8" });
    expect(found).toContain(typeAndBase64("ed1"));
  });

  it("writes a hashed line that ssh-keygen -F finds, after a last line with no newline", () => {
    const file = join(dir, "known_hosts_hashed");
    writeFileSync(file, `other ${typeAndBase64("ec1")}`);
    recordHostKey(file, "db9", keys.rsa1!.blob, true);
    const lines = readFileSync(file, "utf8").split("\n");
    expect(lines[1]).toMatch(/^\|1\|/);
    const found = execFileSync("ssh-keygen", ["-F", "db9", "-f", file], { encoding: "utf8" });
    expect(found).toContain(typeAndBase64("rsa1"));
  });

  it("hashes with the given salt the way ssh-keygen -H does", () => {
    const file = join(dir, "compare-hash");
    writeFileSync(file, `db5 ${typeAndBase64("ed1")}\n`);
    execFileSync("ssh-keygen", ["-q", "-H", "-f", file], { stdio: "ignore" });
    const hashedByOpenSsh = readFileSync(file, "utf8").trim();
    const salt = Buffer.from(hashedByOpenSsh.split("|")[2]!, "base64");
    expect(knownHostsLine("db5", keys.ed1!.blob, true, salt)).toBe(hashedByOpenSsh);
  });
});
