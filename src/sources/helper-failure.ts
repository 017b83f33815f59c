// Turns a helper that ended without an `error` line (crashed, killed, refused by sudo) into one
// clear RssdriftError, using the tail of its stderr.
import { EXIT, RssdriftError } from "../errors.js";
import { sudoFailure } from "../transports/ssh-sudo.js";
import type { CommandExit } from "../transports/transport.js";
import { HEARTBEAT_EXIT_CODE } from "./helper-launch.js";

export function helperExitError(exit: CommandExit, stderr: string, where: string, python = "python3"): RssdriftError {
  const lastLine = stderr.trim().split("\n").at(-1) ?? "";
  // sudo -n refused (password, not allowed, not installed): the SSH layer knows sudo's wording
  const sudo = sudoFailure(stderr, where);
  if (sudo) return sudo;
  if (exit.code === 127 || /command not found|No such file or directory/.test(lastLine)) {
    return new RssdriftError(
      `${python} is not available on ${where}: ${lastLine || "command not found"}`,
      EXIT.missingPrerequisite,
      "install python3 (and python3-drgn) on the target, name another with --python, or use --backend procfs",
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
