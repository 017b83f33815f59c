// Check: python3 (or --python) on the target, the way the helper starts it
// (`[sudo -n] python3 -I -c BOOTSTRAP`).
import { type CheckResult, fail, ok } from "./check.js";
import { type Privilege, notFound, pythonProbe } from "./check-root.js";
import { type InstallContext, installPython } from "./install-commands.js";
import { lastLine, probe } from "./probe.js";
import type { Transport } from "../transports/transport.js";

const NAME = "python3";
const REPORT_VERSION = "import sys, platform; print(sys.executable); print(platform.python_version())";
/** drgn 0.0.22, the oldest drgn rssdrift supports, needs Python 3.6 */
const OLDEST_PYTHON = [3, 6];

export function parsePythonVersion(text: string): number[] | null {
  const match = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(text.trim());
  return match ? match.slice(1).filter((part) => part !== undefined).map(Number) : null;
}

export async function checkPython(
  transport: Transport,
  privilege: Privilege,
  python: string,
  install: InstallContext,
): Promise<{ result: CheckResult; present: boolean }> {
  const run = await probe(transport, pythonProbe(privilege, python, ["-c", REPORT_VERSION]));
  if (run.code !== 0) {
    if (notFound(run.code, run.stderr, python)) {
      return { result: fail(NAME, `${python}: not installed`, python.startsWith("/") ? `install it, or name another --python` : installPython(install)), present: false };
    }
    const why = lastLine(run.stderr) || `exit ${run.code}`;
    return {
      result: fail(NAME, `${python} is there but does not run: ${why}`, `make ${python} runnable, or install one: ${installPython(install)}`),
      present: false,
    };
  }
  const [path = python, versionText = ""] = run.stdout.trim().split("\n");
  const version = parsePythonVersion(versionText);
  if (version && (version[0]! < OLDEST_PYTHON[0]! || (version[0] === OLDEST_PYTHON[0] && version[1]! < OLDEST_PYTHON[1]!))) {
    return {
      result: fail(NAME, `Python ${versionText} (${path}) is too old for drgn (needs 3.6 or newer)`, installPython(install)),
      present: true,
    };
  }
  return { result: ok(NAME, `Python ${versionText} (${path})`), present: true };
}
