// known_hosts parsing and checking, with OpenSSH's own ssh-keygen as the independent judge of
// hashing, fingerprints and what a recorded line means.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  checkHostKey,
  fingerprintSha256,
  hostFieldMatches,
  keyTypeOf,
  knownHostsLine,
  knownHostsName,
  knownKeyTypes,
  parseKnownHosts,
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

describe("knownHostsName", () => {
  it("writes [host]:port for ports other than 22", () => {
    expect(knownHostsName("db1", 22)).toBe("db1");
    expect(knownHostsName("127.0.0.1", 2222)).toBe("[127.0.0.1]:2222");
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
    expect(checkHostKey(entries, "db1", keys.ec1!.blob).status).toBe("known");
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

describe("checkHostKey", () => {
  const entriesFor = (lines: string[]) => parseKnownHosts(lines.join("\n"), "kh");

  it("knows a recorded key", () => {
    expect(checkHostKey(entriesFor([`db1 ${typeAndBase64("ed1")}`]), "db1", keys.ed1!.blob).status).toBe("known");
  });

  it("calls a different key of the same type changed, pointing at the old line", () => {
    const verdict = checkHostKey(entriesFor(["# x", `db1 ${typeAndBase64("ed1")}`]), "db1", keys.ed2!.blob);
    expect(verdict.status).toBe("changed");
    if (verdict.status === "changed") {
      expect(verdict.entry.line).toBe(2);
      expect(fingerprintSha256(verdict.entry.key)).toBe(keys.ed1!.fingerprint);
    }
  });

  it("calls a key of a type not on record unknown, listing the types that are", () => {
    expect(checkHostKey(entriesFor([`db1 ${typeAndBase64("ec1")}`]), "db1", keys.ed1!.blob)).toEqual({
      status: "unknown",
      otherKeyTypes: ["ecdsa-sha2-nistp256"],
    });
  });

  it("does not use another port's key", () => {
    const entries = entriesFor([`db1 ${typeAndBase64("ed1")}`]);
    expect(checkHostKey(entries, "[db1]:2222", keys.ed1!.blob).status).toBe("unknown");
  });

  it("refuses a revoked key even when it is also recorded as known", () => {
    const entries = entriesFor([`db1 ${typeAndBase64("ed1")}`, `@revoked * ${typeAndBase64("ed1")}`]);
    expect(checkHostKey(entries, "db1", keys.ed1!.blob).status).toBe("revoked");
  });

  it("does not treat a @cert-authority key as a host key", () => {
    const entries = entriesFor([`@cert-authority db1 ${typeAndBase64("ed1")}`]);
    expect(checkHostKey(entries, "db1", keys.ed1!.blob).status).toBe("unknown");
  });

  it("lists the key types on record for a host", () => {
    const entries = entriesFor([`db1 ${typeAndBase64("rsa1")}`, `db1,db2 ${typeAndBase64("ed1")}`, `db3 ${typeAndBase64("ec1")}`]);
    expect(knownKeyTypes(entries, "db1")).toEqual(["ssh-rsa", "ssh-ed25519"]);
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
