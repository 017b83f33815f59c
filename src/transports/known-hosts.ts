// ~/.ssh/known_hosts as OpenSSH reads and writes it: plain and hashed (|1|salt|hash) host fields,
// wildcard and negated patterns, "[host]:port" for ports other than 22, and the @revoked and
// @cert-authority markers. The verdict follows OpenSSH's hostfile.c and sshconnect.c: any key on
// record for the host that is not the offered one (whatever its type) means the key changed;
// revoked keys are refused; CA lines never vouch for a plain key (ssh2 cannot check host certificates).
import { createHash, createHmac, randomBytes } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { EXIT, RssdriftError } from "../errors.js";

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

/** The name known_hosts uses for a host: "host" on port 22, "[host]:port" elsewhere (lower case, as OpenSSH writes it). */
export function knownHostsName(host: string, port: number): string {
  const name = host.toLowerCase();
  return port === 22 ? name : `[${name}]:${port}`;
}

/**
 * The names a host's keys are looked up under, in OpenSSH's order: the HostKeyAlias alone when
 * there is one; else "[host]:port", then the bare host ("checking without port identifier"), whose
 * key OpenSSH accepts for any port. The first name is the one a new key is recorded under.
 */
export function hostKeyNames(host: string, port: number, hostKeyAlias?: string): string[] {
  if (hostKeyAlias !== undefined) return [hostKeyAlias.toLowerCase()];
  return port === 22 ? [knownHostsName(host, 22)] : [knownHostsName(host, port), knownHostsName(host, 22)];
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
  return `SHA256:${createHash("sha256").update(key).digest("base64").replace(/=+$/, "")}`;
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

/** Reads every file that exists (a missing known_hosts is simply empty; a directory is bad input). */
export function readKnownHosts(files: readonly string[]): KnownHostEntry[] {
  return files.flatMap((file) => {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") return [];
      const why = code === "EISDIR" ? "is a directory, not a file" : `cannot be read (${code ?? (error as Error).message})`;
      throw new RssdriftError(
        `the known_hosts file ${file} ${why}`,
        EXIT.badInput,
        "point --known-hosts (or UserKnownHostsFile) at a file",
        "bad-known-hosts",
      );
    }
    return parseKnownHosts(text, file);
  });
}

/** OpenSSH's wildcard match: * any run of characters, ? one character, case-insensitive. */
function wildcardMatch(pattern: string, name: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replaceAll("*", ".*")
    .replaceAll("?", ".");
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
  /**
   * the host has another key on record: of the offered key's type (replaced, or an impostor), or
   * of another type (a server that still had the recorded key would have offered it: the client
   * asks for recorded types first). entry is the line of the offered type when there is one.
   */
  | { status: "changed"; entry: KnownHostEntry }
  /** nothing on record for the host; certAuthority: a @cert-authority line names it */
  | { status: "unknown"; certAuthority?: KnownHostEntry };

function verdictFor(entries: readonly KnownHostEntry[], name: string, key: Buffer): HostKeyVerdict {
  const forHost = entries.filter((entry) => hostFieldMatches(entry.hosts, name));
  const revoked = forHost.find((entry) => entry.marker === "revoked" && entry.key.equals(key));
  if (revoked) return { status: "revoked", entry: revoked };
  const plain = forHost.filter((entry) => entry.marker === null);
  const same = plain.find((entry) => entry.key.equals(key));
  if (same) return { status: "known", entry: same };
  const keyType = keyTypeOf(key);
  const other = plain.find((entry) => keyTypeOf(entry.key) === keyType) ?? plain[0];
  if (other) return { status: "changed", entry: other };
  const certAuthority = forHost.find((entry) => entry.marker === "cert-authority");
  return certAuthority ? { status: "unknown", certAuthority } : { status: "unknown" };
}

/**
 * The verdict on an offered host key, looked up under names (see hostKeyNames): the first name
 * decides, except that a host with nothing on record there is known (or revoked) through a later
 * name, as OpenSSH falls back to the bare host for another port.
 */
export function checkHostKey(entries: readonly KnownHostEntry[], names: readonly string[], key: Buffer): HostKeyVerdict {
  const [name, ...fallbacks] = names;
  if (name === undefined) throw new Error("no name to look a host key up under");
  const verdict = verdictFor(entries, name, key);
  if (verdict.status !== "unknown") return verdict;
  for (const fallback of fallbacks) {
    const other = verdictFor(entries, fallback, key);
    if (other.status === "known" || other.status === "revoked") return other;
  }
  return verdict;
}

/**
 * The key types on record for a host (under its first name that has any), so the handshake asks
 * for one of those first, as OpenSSH does: a server with several keys then offers the recorded one.
 */
export function knownKeyTypes(entries: readonly KnownHostEntry[], names: readonly string[]): string[] {
  for (const name of names) {
    const types = entries
      .filter((entry) => entry.marker === null && hostFieldMatches(entry.hosts, name))
      .map((entry) => keyTypeOf(entry.key));
    if (types.length > 0) return [...new Set(types)];
  }
  return [];
}

/** A known_hosts line for the host: plain ("name type base64") or hashed ("|1|salt|hash type base64"). */
export function knownHostsLine(name: string, key: Buffer, hashed: boolean, salt: Buffer = randomBytes(20)): string {
  const hostField = hashed ? `|1|${salt.toString("base64")}|${createHmac("sha1", salt).update(name).digest("base64")}` : name;
  return `${hostField} ${keyTypeOf(key)} ${key.toString("base64")}`;
}

/** Appends the host's key to a known_hosts file, creating the file (and ~/.ssh) when missing. */
export function recordHostKey(file: string, name: string, key: Buffer, hashed: boolean): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const existing = existsSync(file) ? readFileSync(file) : Buffer.alloc(0);
  const separator = existing.length > 0 && existing[existing.length - 1] !== 0x0a ? "\n" : "";
  appendFileSync(file, `${separator}${knownHostsLine(name, key, hashed)}\n`, { mode: 0o600 });
}
