// Check: can the helper run as root? drgn opens /proc/kcore, which needs CAP_SYS_RAWIO.
// The helper runs as root directly, or through `sudo -n` (never prompting: a prompt would hang).
import { type CheckResult, fail, ok } from "./check.js";
import { COMMAND_NOT_FOUND, lastLine, probe } from "./probe.js";
import type { TargetFacts } from "./target-facts.js";
import { isolatedPython } from "../sources/python.js";
import type { Transport } from "../transports/transport.js";

/** How commands that need root run on the target. */
export type Privilege = "root" | "sudo" | "none";

/** argv as the helper would run it: with `sudo -n` in front when that is how root is reached. */
export function withPrivilege(privilege: Privilege, argv: readonly string[]): string[] {
  return privilege === "sudo" ? ["sudo", "-n", ...argv] : [...argv];
}

/** A Python probe started the way the helper starts Python: `[sudo -n] PYTHON -I ARGS…`. */
export function pythonProbe(privilege: Privilege, python: string, args: readonly string[]): string[] {
  return withPrivilege(privilege, isolatedPython(python, args));
}

/** The shell's or the local transport's words for a command that is not installed. */
export function notFound(code: number | null, stderr: string, python: string): boolean {
  return code === COMMAND_NOT_FOUND || stderr.includes(`${python}: command not found`) || stderr.includes(`${python}: not found`);
}

const NAME = "root";

export async function checkRoot(
  transport: Transport,
  facts: TargetFacts,
  python: string,
): Promise<{ result: CheckResult; privilege: Privilege }> {
  if (facts.uid === 0) return { result: ok(NAME, "running as root"), privilege: "root" };
  const who = `running as ${facts.user}${facts.uid === null ? "" : ` (uid ${facts.uid})`}`;
  const runAsRoot = `run rssdrift as root on the target (here: sudo rssdrift doctor; over SSH: --host root@HOST)`;

  const sudoTrue = await probe(transport, ["sudo", "-n", "true"]);
  if (sudoTrue.code === 0) {
    return { result: ok(NAME, `${who}; \`sudo -n\` works, so the helper runs as \`sudo -n ${python} -I …\``), privilege: "sudo" };
  }
  if (sudoTrue.code === COMMAND_NOT_FOUND) {
    return { result: fail(NAME, `${who}, and sudo is not installed`, runAsRoot), privilege: "none" };
  }
  // a sudoers rule may allow the python alone (which is all the helper needs) but not `true`
  const sudoPython = await probe(transport, pythonProbe("sudo", python, ["-c", "pass"]));
  if (sudoPython.code === 0) {
    return { result: ok(NAME, `${who}; \`sudo -n\` may run ${python}, which is all the helper needs`), privilege: "sudo" };
  }
  const why = lastLine(sudoTrue.stderr) || `sudo -n true exited with ${sudoTrue.code}`;
  return {
    result: fail(
      NAME,
      `${who}, and \`sudo -n true\` fails: ${why}`,
      `${runAsRoot}; or, over SSH, pass --sudo-prompt to rssdrift to type the password once; ` +
        `or let ${facts.user} run only the helper as root without a password (docs/sudo.md: a root-owned wrapper ` +
        `and a sudoers rule for it; a NOPASSWD rule for python3 itself gives ${facts.user} root for anything)`,
    ),
    privilege: "none",
  };
}
