// Check: drgn importable by the python3 the helper uses (root's, when it runs through sudo).
// When it is not, but the distribution's /usr/bin/python3 has it, the fix is --python, not apt.
import { type CheckResult, fail, ok, skipped } from "./check.js";
import { type Privilege, pythonProbe } from "./check-root.js";
import { type DrgnVersion, atLeast, parseDrgnVersion } from "./drgn-version.js";
import { type InstallContext, installDrgn } from "./install-commands.js";
import { lastLine, probe } from "./probe.js";
import { DISTRO_PYTHON, REPORT_DRGN_VERSION, distroPythonHasDrgn, useDistroPythonHint } from "../sources/python.js";
import type { Transport } from "../transports/transport.js";

const NAME = "drgn";
/** the oldest drgn the helper is written and tested for (Debian bookworm's) */
const OLDEST_TESTED = [0, 0, 22];

export function isMissingModule(stderr: string): boolean {
  return /No module named '?drgn'?/.test(stderr);
}

/**
 * Prints the interpreter's path when it is not the distribution's python3 (which packages serve):
 * another binary (pyenv, /usr/local), or the same one in a venv (its own site-packages).
 */
const OTHER_THAN_DISTRO =
  `import os, sys; other = os.path.realpath(sys.executable) != os.path.realpath(${JSON.stringify(DISTRO_PYTHON)}) ` +
  `or sys.prefix != getattr(sys, "base_prefix", sys.prefix); print(sys.executable if other else "")`;

async function otherThanDistroPython(transport: Transport, privilege: Privilege, python: string): Promise<string | undefined> {
  const run = await probe(transport, pythonProbe(privilege, python, ["-c", OTHER_THAN_DISTRO]));
  return (run.code === 0 && run.stdout.trim()) || undefined;
}

export async function checkDrgn(
  transport: Transport,
  privilege: Privilege,
  python: string,
  pythonPresent: boolean,
  install: InstallContext,
): Promise<{ result: CheckResult; version: DrgnVersion | null }> {
  if (!pythonPresent) return { result: skipped(NAME, `not checked (needs ${python})`), version: null };
  const run = await probe(transport, pythonProbe(privilege, python, ["-c", REPORT_DRGN_VERSION]));
  if (run.code !== 0) {
    const missing = isMissingModule(run.stderr);
    const detail = missing
      ? `not installed for ${python} (${python} -I -c 'import drgn': ${lastLine(run.stderr)})`
      : `installed but does not import: ${lastLine(run.stderr) || `exit ${run.code}`}`;
    if (missing && (await distroPythonHasDrgn(transport, privilege === "sudo", python))) {
      return { result: fail(NAME, detail, useDistroPythonHint(python)), version: null };
    }
    const other = await otherThanDistroPython(transport, privilege, python);
    return { result: fail(NAME, detail, installDrgn(install, other)), version: null };
  }
  const version = parseDrgnVersion(run.stdout);
  if (version === null) {
    return { result: fail(NAME, `imports, but its version is unreadable: ${JSON.stringify(run.stdout.trim())}`, installDrgn(install)), version: null };
  }
  const note = atLeast(version, OLDEST_TESTED) ? "" : " (older than 0.0.22, the oldest rssdrift is tested with)";
  return { result: ok(NAME, `drgn ${version.text}${note}`), version };
}
