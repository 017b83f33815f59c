// What the user types after --host: [user@]host[:port], with [ipv6]:port for IPv6 addresses.
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

export function parseSshTarget(target: string): SshTarget {
  const at = target.lastIndexOf("@");
  const user = at >= 0 ? target.slice(0, at) : undefined;
  const rest = at >= 0 ? target.slice(at + 1) : target;
  if (user !== undefined && user === "") throw badTarget(target, "the user before @ is empty");
  let host: string;
  let port: number | undefined;
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(rest);
  if (bracketed) {
    host = bracketed[1]!;
    if (bracketed[2] !== undefined) port = parsePort(bracketed[2], target);
  } else if ((rest.match(/:/g) ?? []).length > 1) {
    host = rest; // a bare IPv6 address: no port possible without brackets
  } else {
    const colon = rest.indexOf(":");
    host = colon >= 0 ? rest.slice(0, colon) : rest;
    if (colon >= 0) port = parsePort(rest.slice(colon + 1), target);
  }
  if (host === "") throw badTarget(target, "the host is empty");
  // a host starting with "-" would be read as an option by ssh -G; no real host name does
  if (host.startsWith("-") || /[\s\0]/.test(host)) throw badTarget(target, `"${host}" is not a host name`);
  if (user !== undefined && (/[\s\0]/.test(user) || user.startsWith("-"))) throw badTarget(target, `"${user}" is not a user name`);
  return { ...(user !== undefined ? { user } : {}), host, ...(port !== undefined ? { port } : {}) };
}
