// Runs every check in order over one transport. Later checks use what earlier ones found (root
// through sudo, python3 present, drgn's version), and the era check runs the real helper only
// when everything it needs is there.
import type { CheckResult } from "./check.js";
import { checkBpf } from "./check-bpf.js";
import { checkDebugInfo } from "./check-debug-info.js";
import { checkDrgn } from "./check-drgn.js";
import { checkEra } from "./check-era.js";
import { checkKcore } from "./check-kcore.js";
import { checkLockdown } from "./check-lockdown.js";
import { checkPython } from "./check-python.js";
import { checkRoot } from "./check-root.js";
import { type TargetFacts, gatherFacts } from "./target-facts.js";
import { DEFAULT_PYTHON } from "../sources/python.js";
import type { Transport } from "../transports/transport.js";

/** What a check is for: both kernel backends, or one of them. */
export type CheckGroup = "both" | "bpf" | "drgn";

export interface DoctorReport {
  facts: TargetFacts;
  /** every check in order: both, then bpf, then drgn */
  results: CheckResult[];
  groups: Record<CheckGroup, CheckResult[]>;
  /** what --backend auto would read with there: the first kernel backend whose round trip worked */
  autoUses: "bpf" | "drgn" | "procfs";
}

export interface DoctorOptions {
  /** Ctrl-C: stops the helper the era check started */
  signal?: AbortSignal;
  /** --python / RSSDRIFT_PYTHON: the interpreter every probe and the helper use; default python3 */
  python?: string;
  /** --vmlinux: the debug info drgn is pointed at, checked instead of drgn's search path */
  vmlinux?: string;
}

export async function runDoctor(transport: Transport, options: DoctorOptions = {}): Promise<DoctorReport> {
  const pythonCommand = options.python ?? DEFAULT_PYTHON;
  const facts = await gatherFacts(transport);
  const root = await checkRoot(transport, facts, pythonCommand);
  const install = { family: facts.family, root: facts.uid === 0 };
  const kcore = await checkKcore(transport, facts, root.privilege, pythonCommand);
  const lockdown = await checkLockdown(transport);
  const python = await checkPython(transport, root.privilege, pythonCommand, install);
  const drgn = await checkDrgn(transport, root.privilege, pythonCommand, python.present, install);
  const debugInfo = await checkDebugInfo(
    transport,
    facts,
    root.privilege,
    { command: pythonCommand, present: python.present },
    drgn.version,
    install,
    options.vmlinux,
  );
  const before = [root.result, kcore, lockdown, python.result, drgn.result, debugInfo];
  const era = await checkEra(transport, facts.release, root.privilege, nothingFailed(before), {
    signal: options.signal,
    python: pythonCommand,
    vmlinux: options.vmlinux,
  });
  const bpf = await checkBpf(transport, root.privilege, { command: pythonCommand, present: python.present }, lockdown, options.signal);
  const groups: Record<CheckGroup, CheckResult[]> = {
    both: [root.result, bpf.lockdown, python.result],
    bpf: bpf.results,
    drgn: [kcore, drgn.result, debugInfo, era],
  };
  return {
    facts,
    results: [...groups.both, ...groups.bpf, ...groups.drgn],
    groups,
    autoUses: bpf.works ? "bpf" : era.status === "ok" ? "drgn" : "procfs",
  };
}

/** Nothing failed (a warning is not known to block; a skipped check always follows a failed one). */
export function nothingFailed(results: readonly CheckResult[]): boolean {
  return results.every((result) => result.status === "ok" || result.status === "warn");
}

/** A kernel backend works there: auto reads the kernel's own counters, not the estimate. */
export function kernelPathWorks(report: Pick<DoctorReport, "autoUses">): boolean {
  return report.autoUses !== "procfs";
}
