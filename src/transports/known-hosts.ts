// ~/.ssh/known_hosts as OpenSSH reads and writes it: plain and hashed (|1|salt|hash) host fields,
// wildcard and negated patterns, "[host]:port" for ports other than 22, and the @revoked and
// @cert-authority markers (revoked keys are refused; CA lines are kept but never match a plain key,
// since ssh2 does not negotiate host certificates).
import { createHash, createHmac, randomBytes } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";

export interface KnownHostEntry {
  marker: "revoked" | "cert-authority" | null;
  /** the host field as written: "a,b,[c]:2222", "*.example.com,!bad.example.com" or "|1|salt|hash" */
  hosts: string;
  /** the key type written on the line, e.g. ssh-ed25519 */
  keyType: string;
  /** the public key blob (the base64 field, decoded) */
  key: Buffer;
  file: string;
  /** 1-based */
  line: number;
}

/** The name known_hosts uses for a host: "host" on port 22, "[host]:port" elsewhere. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** The key type inside a public key blob (its first SSH string), e.g. "ssh-ed25519". */
export function keyTypeOf(key: Buffer): string {
  if (key.length < 4) return "unknown";
  const length = key.readUInt32BE(0);
  return length > 0 && 4 + length <= key.length ? key.subarray(4, 4 + length).toString("latin1") : "unknown";
}

/** ED25519, ECDSA, RSA: how OpenSSH names a key type in its messages. */
export function keyTypeLabel(keyType: string): string {
  if (keyType === "ssh-ed25519") return "ED25519";
  if (keyType.startsWith("ecdsa-")) return "ECDSA";
  if (keyType === "ssh-rsa") return "RSA";
  if (keyType === "ssh-dss") return "DSA";
  return keyType.toUpperCase();
}

/** OpenSSH's fingerprint format: "SHA256:" + base64 of the SHA-256 of the blob, without "=" padding. */
export function fingerprintSha256(key: Buffer): string {
  return "SHA256:" + createHash("sha256").update(key).digest("base64").replace(/=+$/, "");
}

export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split("\n").forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry["marker"] = null;
    if (fields[0]!.startsWith("@")) {
      const name = fields.shift()!;
      if (name === "@revoked") marker = "revoked";
      else if (name === "@cert-authority") marker = "cert-authority";
      else return; // a marker OpenSSH may add later: skip the line rather than misread it
    }
    const [hosts, keyType, base64] = fields;
    if (hosts === undefined || keyType === undefined || base64 === undefined) return;
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return;
    entries.push({ marker, hosts, keyType, key: Buffer.from(base64, "base64"), file, line: index + 1 });
  });
  return entries;
}

/** Reads every file that exists (a missing known_hosts is simply empty). */
export function readKnownHosts(files: readonly string[]): KnownHostEntry[] {
  return files.flatMap((file) => (existsSync(file) ? parseKnownHosts(readFileSync(file, "utf8"), file) : []));
}

/** OpenSSH's wildcard match: * any run of characters, ? one character, case-insensitive. */
function wildcardMatch(pattern: string, name: string): boolean {
  const regex = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replaceAll("*", ".*").replaceAll("?", ".");
  return new RegExp(`^${regex}$`, "is").test(name);
}

function hashedMatch(field: string, name: string): boolean {
  const [, magic, salt, hash] = field.split("|");
  if (magic !== "1" || salt === undefined || hash === undefined) return false;
  const digest = createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest("base64");
  return digest === hash;
}

/** Whether a line's host field names this host (a negated pattern that matches rules it out). */
export function hostFieldMatches(hosts: string, name: string): boolean {
  if (hosts.startsWith("|")) return hashedMatch(hosts, name);
  let matched = false;
  for (const pattern of hosts.split(",")) {
    if (pattern.startsWith("!")) {
      if (wildcardMatch(pattern.slice(1), name)) return false;
    } else if (wildcardMatch(pattern, name)) {
      matched = true;
    }
  }
  return matched;
}

export type HostKeyVerdict =
  | { status: "known"; entry: KnownHostEntry }
  | { status: "revoked"; entry: KnownHostEntry }
  /** the host has a key of this type on record, and it is a different key */
  | { status: "changed"; entry: KnownHostEntry }
  /** nothing on record for this key type; otherKeyTypes lists types that are on record */
  | { status: "unknown"; otherKeyTypes: string[] };

export function checkHostKey(entries: readonly KnownHostEntry[], name: string, key: Buffer): HostKeyVerdict {
  const forHost = entries.filter((entry) => hostFieldMatches(entry.hosts, name));
  const revoked = forHost.find((entry) => entry.marker === "revoked" && entry.key.equals(key));
  if (revoked) return { status: "revoked", entry: revoked };
  const plain = forHost.filter((entry) => entry.marker === null);
  const same = plain.find((entry) => entry.key.equals(key));
  if (same) return { status: "known", entry: same };
  const keyType = keyTypeOf(key);
  const changed = plain.find((entry) => keyTypeOf(entry.key) === keyType);
  if (changed) return { status: "changed", entry: changed };
  return { status: "unknown", otherKeyTypes: [...new Set(plain.map((entry) => keyTypeOf(entry.key)))] };
}

/** The key types on record for a host, so the handshake can ask for one of those first (as OpenSSH does). */
export function knownKeyTypes(entries: readonly KnownHostEntry[], name: string): string[] {
  const types = entries
    .filter((entry) => entry.marker === null && hostFieldMatches(entry.hosts, name))
    .map((entry) => keyTypeOf(entry.key));
  return [...new Set(types)];
}

/** A known_hosts line for the host: plain ("name type base64") or hashed ("|1|salt|hash type base64"). */
export function knownHostsLine(name: string, key: Buffer, hashed: boolean, salt: Buffer = randomBytes(20)): string {
  const hostField = hashed
    ? `|1|${salt.toString("base64")}|${createHmac("sha1", salt).update(name).digest("base64")}`
    : name;
  return `${hostField} ${keyTypeOf(key)} ${key.toString("base64")}`;
}

/** Appends the host's key to a known_hosts file, creating the file (and ~/.ssh) when missing. */
export function recordHostKey(file: string, name: string, key: Buffer, hashed: boolean): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const existing = existsSync(file) ? readFileSync(file) : Buffer.alloc(0);
  const separator = existing.length > 0 && existing[existing.length - 1] !== 0x0a ? "\n" : "";
  appendFileSync(file, `${separator}${knownHostsLine(name, key, hashed)}\n`, { mode: 0o600 });
}
