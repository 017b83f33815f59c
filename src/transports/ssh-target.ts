// What the user types after --host: [user@]host[:port], with [ipv6]:port for IPv6 addresses.
// Checked here, before anything resolves it: a malformed value is one line and exit 2, not a DNS
// lookup of "[::1" or "a:1:2". Messages quote the value as typed; the CLI's error line makes it
// printable (src/text/printable.ts), so a newline or ESC in it is shown, never acted on.
import { isIPv6 } from "node:net";
import { EXIT, RssdriftError } from "../errors.js";

export interface SshTarget {
  user?: string;
  /** a host name, an alias from ~/.ssh/config, or an address (IPv6 without brackets) */
  host: string;
  port?: number;
}

function badTarget(target: string, why: string): RssdriftError {
  return new RssdriftError(
    `bad SSH target "${target}": ${why}`,
    EXIT.badInput,
    "write it as [user@]host[:port], e.g. root@db1 or admin@10.0.0.5:2222 or [fe80::1]:22",
    "bad-target",
  );
}

function parsePort(text: string, target: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) {
    throw badTarget(target, `"${text}" is not a port number (1-65535)`);
  }
  return Number(text);
}

/**
 * OpenSSH's own rule for a host or user typed on the command line (ssh.c valid_hostname): no
 * leading "-" (it would read as an option), no space, none of '`"$\;&<>|(){}, (control characters
 * are refused before, in the whole target)
 */
const UNFIT = /^-|[\s'`"$\\;&<>|(){},]/;

export function parseSshTarget(target: string): SshTarget {
  if (/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(target)) throw badTarget(target, "it contains control characters");
  const at = target.lastIndexOf("@");
  const user = at >= 0 ? target.slice(0, at) : undefined;
  const rest = at >= 0 ? target.slice(at + 1) : target;
  if (user !== undefined && user === "") throw badTarget(target, "the user before @ is empty");
  let host: string;
  let port: number | undefined;
  if (rest.startsWith("[")) {
    const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(rest);
    if (!bracketed) throw badTarget(target, 'a "[" needs its "]" right before the end or before ":port", as in [fe80::1]:22');
    host = bracketed[1]!;
    if (bracketed[2] !== undefined) port = parsePort(bracketed[2], target);
  } else if ((rest.match(/:/g) ?? []).length > 1) {
    // a bare IPv6 address: no port possible without brackets
    if (!isIPv6(rest)) throw badTarget(target, `"${rest}" has more than one ":" but is not an IPv6 address (a port goes after [address]:)`);
    host = rest;
  } else {
    const colon = rest.indexOf(":");
    host = colon >= 0 ? rest.slice(0, colon) : rest;
    if (colon >= 0) port = parsePort(rest.slice(colon + 1), target);
  }
  if (host === "") throw badTarget(target, "the host is empty");
  if (UNFIT.test(host) || (host.includes(":") && !isIPv6(host))) throw badTarget(target, `"${host}" is not a host name or address`);
  if (user !== undefined && UNFIT.test(user)) throw badTarget(target, `"${user}" is not a user name`);
  return { ...(user !== undefined ? { user } : {}), host, ...(port !== undefined ? { port } : {}) };
}
