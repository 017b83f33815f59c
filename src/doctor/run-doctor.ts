// Runs every check in order over one transport. Later checks use what earlier ones found (root
// through sudo, python3 present, drgn's version), and the era check runs the real helper only
// when everything it needs is there.
import type { CheckResult } from "./check.js";
import { checkDebugInfo } from "./check-debug-info.js";
import { checkDrgn } from "./check-drgn.js";
import { checkEra } from "./check-era.js";
import { checkKcore } from "./check-kcore.js";
import { checkLockdown } from "./check-lockdown.js";
import { checkPython } from "./check-python.js";
import { checkRoot } from "./check-root.js";
import { type TargetFacts, gatherFacts } from "./target-facts.js";
import type { Transport } from "../transports/transport.js";

export interface DoctorReport {
  facts: TargetFacts;
  results: CheckResult[];
}

export interface DoctorOptions {
  /** Ctrl-C: stops the helper the era check started */
  signal?: AbortSignal;
}

export async function runDoctor(transport: Transport, options: DoctorOptions = {}): Promise<DoctorReport> {
  const facts = await gatherFacts(transport);
  const root = await checkRoot(transport, facts);
  const install = { family: facts.family, root: facts.uid === 0 };
  const kcore = await checkKcore(transport, facts, root.privilege);
  const lockdown = await checkLockdown(transport);
  const python = await checkPython(transport, root.privilege, install);
  const drgn = await checkDrgn(transport, root.privilege, python.present, install);
  const debugInfo = await checkDebugInfo(transport, facts, root.privilege, python.present, drgn.version, install);
  const before = [root.result, kcore, lockdown, python.result, drgn.result, debugInfo];
  const era = await checkEra(
    transport,
    facts.release,
    root.privilege,
    before.every((result) => result.status === "ok"),
    options.signal,
  );
  return { facts, results: [...before, era] };
}

/** The kernel path works only when nothing failed (a skipped check always follows a failed one). */
export function kernelPathWorks(results: readonly CheckResult[]): boolean {
  return results.every((result) => result.status === "ok");
}
