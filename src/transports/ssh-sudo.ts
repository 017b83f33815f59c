// sudo on the target, from the SSH side: recognising why `sudo -n` failed (so the user gets one
// line and a fix instead of sudo's stderr), and --sudo-prompt, which feeds the password once.
import { EXIT, RssdriftError } from "../errors.js";

function remoteUser(where: string): string {
  const at = where.lastIndexOf("@");
  return at > 0 ? where.slice(0, at) : "USER";
}

/**
 * The error sudo's stderr stands for, or undefined when it is not a sudo failure. For the source
 * that started `sudo -n python3 …` and read stderr when the command failed.
 */
export function sudoFailure(stderr: string, where: string): RssdriftError | undefined {
  const user = remoteUser(where);
  if (/sudo: (a password is required|a terminal is required to read the password|no tty present)/.test(stderr)) {
    return new RssdriftError(
      `sudo on ${where} needs a password, and the helper cannot ask for one`,
      EXIT.missingPrerequisite,
      `rerun with --sudo-prompt, or let ${user} run only the helper without a password (docs/sudo.md: a root-owned wrapper ` +
        `and a sudoers rule for it; a NOPASSWD rule for python3 itself is root for anything)`,
      "sudo-password",
    );
  }
  if (/incorrect password attempt|Sorry, try again|no password was provided/.test(stderr)) {
    return new RssdriftError(
      `sudo on ${where} did not accept the password`,
      EXIT.missingPrerequisite,
      `check the password of ${user}`,
      "sudo-password",
    );
  }
  if (/is not in the sudoers file|is not allowed to (execute|run sudo)|may not run sudo/.test(stderr)) {
    return new RssdriftError(
      `${user} on ${where} may not run python3 as root with sudo`,
      EXIT.missingPrerequisite,
      `let ${user} run only the helper as root (docs/sudo.md: a root-owned wrapper and a sudoers rule for it), or connect as root`,
      "sudo-denied",
    );
  }
  if (/(sudo: (command )?not found|sudo: No such file)/.test(stderr)) {
    return new RssdriftError(`sudo is not installed on ${where}`, EXIT.missingPrerequisite, "install sudo, or connect as root", "no-sudo");
  }
  return undefined;
}

/** Whether argv asks for non-interactive sudo, the form helperArgv({ sudo: true }) produces. */
export function isNonInteractiveSudo(argv: readonly string[]): boolean {
  return argv[0] === "sudo" && argv[1] === "-n";
}

/**
 * Runs on the target for --sudo-prompt (fixed text; the command arrives as "$@", never spliced).
 * It reads the password line from stdin (sh's read stops at the newline, so nothing after it is
 * taken), validates it with `sudo -S -v` whose stdin holds that line alone, so a wrong password
 * ends here instead of sudo reading the helper's script as further attempts and the password
 * never reaches the helper. Then `sudo -n` runs the command on the credential just cached; sudo
 * keeps that record per parent process when there is no terminal, so the second sudo must be a
 * child of the same shell: the trailing `exit` keeps sh from exec'ing it.
 */
export const SUDO_PROMPT_SCRIPT =
  "IFS= read -r p || exit 1\n" + "printf '%s\\n' \"$p\" | sudo -S -p '' -v || exit 1\n" + "p=\n" + 'sudo -n -- "$@"\n' + "exit $?\n";

/** argv for --sudo-prompt: `sudo -n CMD…` becomes sh running SUDO_PROMPT_SCRIPT with CMD as "$@". */
export function sudoPromptArgv(argv: readonly string[]): string[] {
  if (!isNonInteractiveSudo(argv)) throw new Error("sudoPromptArgv expects argv starting with sudo -n");
  return ["sh", "-c", SUDO_PROMPT_SCRIPT, "rssdrift-sudo", ...argv.slice(2)];
}
