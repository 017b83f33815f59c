// What went wrong while connecting, as one line naming host and port and a distinct exit code.
import { EXIT, RssdriftError } from "../errors.js";

export interface ConnectFailure extends Error {
  /** ssh2's classification: client-socket, client-timeout, client-authentication, handshake, ... */
  level?: string;
  /** the socket's errno code: ECONNREFUSED, ENOTFOUND, ... */
  code?: string;
}

/**
 * The RssdriftError for a failed connection. `where` is "user@host:port" (or "host:port" before
 * a user is known); `authTried` lists what authentication offered, for the permission message.
 */
export function connectError(failure: ConnectFailure, where: string, authTried: readonly string[] = []): RssdriftError {
  const code = failure.code ?? "";
  const ssh = (message: string, hint?: string, machineCode = "ssh-failure") =>
    new RssdriftError(message, EXIT.sshFailure, hint, machineCode);
  if (code === "ECONNREFUSED")
    return ssh(`cannot connect to ${where}: connection refused (is sshd running on that port?)`, undefined, "ssh-refused");
  if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAI_NONAME" || failure.level === "client-dns") {
    return ssh(
      `cannot connect to ${where}: the host name does not resolve (DNS)`,
      "check the name, or the HostName in ~/.ssh/config",
      "ssh-dns",
    );
  }
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH" || code === "EHOSTDOWN") {
    return ssh(`cannot connect to ${where}: the host is unreachable (no route)`, undefined, "ssh-unreachable");
  }
  if (code === "ETIMEDOUT" || failure.level === "client-timeout") {
    return ssh(
      `cannot connect to ${where}: timed out`,
      "is the host up and the port open? ConnectTimeout in ~/.ssh/config sets the wait",
      "ssh-timeout",
    );
  }
  if (failure.level === "client-authentication") {
    const tried = authTried.length > 0 ? ` (tried ${authTried.join(", ")})` : " (no key to offer: no ssh-agent and no identity file)";
    return ssh(
      `permission denied on ${where}${tried}`,
      "check the user name, or install your public key on the target (ssh-copy-id), or pass -i KEY",
      "ssh-auth",
    );
  }
  if (code === "ECONNRESET" || code === "EPIPE")
    return ssh(`connection to ${where} was reset during the SSH handshake`, undefined, "ssh-reset");
  if (failure.level === "handshake" || failure.level === "protocol") {
    return ssh(`SSH handshake with ${where} failed: ${failure.message}`, undefined, "ssh-handshake");
  }
  return ssh(`cannot connect to ${where}: ${failure.message}`);
}
