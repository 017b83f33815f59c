// Turns a helper that ended without an `error` line (crashed, killed, refused by sudo) into one
// clear RssdriftError, using the tail of its stderr.
import { EXIT, RssdriftError } from "../errors.js";
import type { CommandExit } from "../transports/transport.js";

/** sudo -n's refusal, in the wording of sudo 1.8 to 1.9 */
export function sudoNeedsPassword(stderr: string): boolean {
  return /sudo: (a password is required|a terminal is required)/.test(stderr);
}

export function helperExitError(exit: CommandExit, stderr: string, where: string): RssdriftError {
  const lastLine = stderr.trim().split("\n").at(-1) ?? "";
  if (sudoNeedsPassword(stderr)) {
    return new RssdriftError(
      `sudo on ${where} needs a password, and rssdrift runs it non-interactively (sudo -n)`,
      EXIT.missingPrerequisite,
      "run as root, add a sudoers rule like `youruser ALL=(root) NOPASSWD: /usr/bin/python3`, or pass --sudo-prompt",
      "sudo-password",
    );
  }
  if (exit.code === 127 || /command not found|No such file or directory/.test(lastLine)) {
    return new RssdriftError(
      `python3 is not available on ${where}: ${lastLine || "command not found"}`,
      EXIT.missingPrerequisite,
      "install python3 (and python3-drgn) on the target, or use --backend procfs",
      "no-python",
    );
  }
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  return new RssdriftError(
    `the drgn helper on ${where} ${how}${lastLine ? `: ${lastLine}` : " without saying why"}`,
    EXIT.helperFailure,
    undefined,
    "helper-crashed",
  );
}
