// Turns a helper that ended without an `error` line (crashed, killed, refused by sudo) into one
// clear RssdriftError, using the tail of its stderr.
import { EXIT, RssdriftError } from "../errors.js";
import type { HelperBackend } from "../schema/helper-line.js";
import { sudoFailure } from "../transports/ssh-sudo.js";
import type { CommandExit } from "../transports/transport.js";
import { MAX_LINE_BYTES } from "./bounded-lines.js";
import { HEARTBEAT_EXIT_CODE } from "./helper-launch.js";

/** A helper line over the cap: the helper is not speaking the protocol (or something poses as it). */
export function helperLineTooLong(origin: string): RssdriftError {
  return new RssdriftError(
    `${origin} printed a line longer than ${MAX_LINE_BYTES / 1024 / 1024} MiB: not a helper line`,
    EXIT.helperFailure,
    undefined,
    "malformed-line",
  );
}

/** What to do when the helper's Python is not there; every backend needs it, procfs too. */
export function noPythonHint(backend: HelperBackend | undefined): string {
  return backend === "procfs" || backend === "bpf"
    ? "install python3 on the target, or name another with --python"
    : "install python3 and python3-drgn on the target, or name another with --python";
}

export function helperExitError(
  exit: CommandExit,
  stderr: string,
  where: string,
  python = "python3",
  backend?: HelperBackend,
): RssdriftError {
  const lastLine = stderr.trim().split("\n").at(-1) ?? "";
  // sudo -n refused (password, not allowed, not installed): the SSH layer knows sudo's wording
  const sudo = sudoFailure(stderr, where);
  if (sudo) return sudo;
  // 127: not found; 126 with the shell's "Permission denied": there, but not for this user
  const missing = exit.code === 127 || /command not found|No such file or directory/.test(lastLine);
  if (missing || (exit.code === 126 && /Permission denied/.test(lastLine))) {
    return new RssdriftError(
      `${python} is not available on ${where}: ${lastLine || "command not found"}`,
      EXIT.missingPrerequisite,
      noPythonHint(backend),
      "no-python",
    );
  }
  if (exit.code === HEARTBEAT_EXIT_CODE && lastLine === "") {
    return new RssdriftError(
      `the helper on ${where} stopped: it heard nothing from rssdrift for its heartbeat period (rssdrift suspended, or the link stalled)`,
      EXIT.helperFailure,
      undefined,
      "helper-heartbeat",
    );
  }
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  return new RssdriftError(
    `the helper on ${where} ${how}${lastLine ? `: ${lastLine}` : " without saying why"}`,
    EXIT.helperFailure,
    undefined,
    "helper-crashed",
  );
}
