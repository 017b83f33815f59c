// Checks for the bpf backend: the kernel's BTF, the capabilities the helper would run with, and
// a real round trip: the helper's bpf reader on its own process (`--backend bpf --pid self
// --count 1`). The round trip is the proof; when it fails, its error code names the check that
// failed (BTF, capabilities, lockdown) and that check shows the helper's own words and fix.
import { type CheckResult, fail, ok, skipped } from "./check.js";
import { type Privilege, withPrivilege } from "./check-root.js";
import { describeHello } from "./check-era.js";
import { readHello, TIMED_OUT, HELPER_TIMEOUT_MS } from "./helper-round-trip.js";
import { lastLine, probe } from "./probe.js";
import { DEFAULT_HINTS, RssdriftError } from "../errors.js";
import type { HelloLine } from "../schema/helper-line.js";
import { isolatedPython } from "../sources/python.js";
import type { Transport } from "../transports/transport.js";

/** the Python the helper runs as (--python), and whether it is there */
export interface PythonFound {
  command: string;
  present: boolean;
}

export const BTF_FILE = "/sys/kernel/btf/vmlinux";
export const BPF_CHECKS = { btf: "BTF", caps: "capabilities", bpf: "bpf()" } as const;

const CAP_SYS_ADMIN = 21;
const CAP_PERFMON = 38;
const CAP_BPF = 39;

const FIX_CAPS =
  "run rssdrift as root (or with sudo -n); in a container, start it with --cap-add BPF --cap-add PERFMON " +
  "(older kernels: --cap-add SYS_ADMIN) and a seccomp profile that allows bpf(), or run rssdrift on the host";

/** Which of CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN a CapEff line (hex) holds; null if there is none. */
export function parseCapEff(status: string): { bpf: boolean; perfmon: boolean; sysAdmin: boolean } | null {
  const match = /^CapEff:\s*([0-9a-f]+)\s*$/im.exec(status);
  if (!match) return null;
  const bits = BigInt(`0x${match[1]}`);
  const has = (cap: number) => (bits >> BigInt(cap)) & 1n ? true : false;
  return { bpf: has(CAP_BPF), perfmon: has(CAP_PERFMON), sysAdmin: has(CAP_SYS_ADMIN) };
}

/** The words for what the helper's bpf hello says: how it found the per-CPU offsets, the era, the cost. */
export function describeBpfHello(hello: HelloLine): string {
  const setup = hello.bpf;
  const offsets =
    setup === undefined
      ? ""
      : setup.per_cpu_offsets === "none"
        ? "no per-CPU offsets needed; "
        : `per-CPU offsets from ${setup.per_cpu_offsets === "kallsyms" ? "__per_cpu_offset (kallsyms)" : "the runqueues (derived)"}; `;
  const cost = setup === undefined ? "" : `; ${setup.insns} instructions, BTF read in ${setup.btf_ms} ms, loaded in ${setup.load_ms} ms`;
  return `works: read its own counters with a BPF program; ${offsets}era ${describeHello(hello)}${cost}`;
}

async function checkBtf(transport: Transport): Promise<CheckResult> {
  const size = await probe(transport, ["stat", "-L", "-c", "%s", BTF_FILE]);
  if (size.code === 0) {
    const bytes = Number(size.stdout.trim());
    const mib = Number.isFinite(bytes) ? ` (${(bytes / 2 ** 20).toFixed(1)} MiB)` : "";
    return ok(BPF_CHECKS.btf, `${BTF_FILE}${mib}: the kernel describes its own types, so no debug info is needed`);
  }
  return fail(
    BPF_CHECKS.btf,
    `${BTF_FILE} is missing: ${lastLine(size.stderr) || "the kernel was built without CONFIG_DEBUG_INFO_BTF"}`,
    DEFAULT_HINTS["no-btf"],
  );
}

async function checkCapabilities(transport: Transport, privilege: Privilege, python: PythonFound): Promise<CheckResult> {
  const pythonPresent = python.present;
  if (privilege === "none") {
    return fail(BPF_CHECKS.caps, "not root, and no `sudo -n` (see root): bpf() needs root, or CAP_BPF and CAP_PERFMON", FIX_CAPS);
  }
  if (!pythonPresent) return skipped(BPF_CHECKS.caps, "not checked (needs python3, which the helper runs as)");
  // read by the very python3 the helper would run, with the same privilege
  const read = await probe(transport, withPrivilege(privilege, isolatedPython(python.command, ["-c", "print(open('/proc/self/status').read())"])));
  const caps = read.code === 0 ? parseCapEff(read.stdout) : null;
  if (caps === null) return fail(BPF_CHECKS.caps, `cannot read CapEff: ${lastLine(read.stderr) || `exit ${read.code}`}`, FIX_CAPS);
  const held = [caps.bpf && "CAP_BPF", caps.perfmon && "CAP_PERFMON", caps.sysAdmin && "CAP_SYS_ADMIN"].filter(Boolean).join(", ");
  if ((caps.bpf && caps.perfmon) || caps.sysAdmin) {
    return ok(BPF_CHECKS.caps, `the helper runs with ${held}${privilege === "sudo" ? " (through sudo -n)" : ""}`);
  }
  return fail(BPF_CHECKS.caps, `the helper would run with ${held || "none of CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN"} (root with its capabilities dropped?)`, FIX_CAPS);
}

/** The check an error code of the bpf reader points at; the rest are the reader's own (bpf()). */
const CHECK_OF_CODE: Record<string, string> = {
  "no-btf": BPF_CHECKS.btf,
  "not-root": BPF_CHECKS.caps,
  lockdown: "lockdown",
};

export interface BpfChecks {
  results: CheckResult[];
  /** the shared lockdown check, failed when the helper found lockdown in its way */
  lockdown: CheckResult;
  works: boolean;
}

/**
 * BTF, capabilities and the bpf() round trip; `lockdown` is the shared check, updated if the
 * helper says so. `script` replaces helpers/rss_stat.py, for tests with a scripted helper.
 */
export async function checkBpf(
  transport: Transport,
  privilege: Privilege,
  python: PythonFound,
  lockdown: CheckResult,
  signal?: AbortSignal,
  script?: Buffer,
): Promise<BpfChecks> {
  const pythonPresent = python.present;
  const btf = await checkBtf(transport);
  const caps = await checkCapabilities(transport, privilege, python);
  const checks: Record<string, CheckResult> = { [BPF_CHECKS.btf]: btf, [BPF_CHECKS.caps]: caps, lockdown };
  const done = (bpf: CheckResult, works = false): BpfChecks => ({ results: [checks.BTF!, checks.capabilities!, bpf], lockdown: checks.lockdown!, works });
  if (privilege === "none" || !pythonPresent) return done(skipped(BPF_CHECKS.bpf, "not tried (needs root and python3, above)"));
  try {
    const hello = await readHello(transport, { pid: "self", backend: "bpf", sudo: privilege === "sudo", python: python.command }, signal, script);
    if (hello === TIMED_OUT) {
      return done(fail(BPF_CHECKS.bpf, `the helper sent no hello line within ${HELPER_TIMEOUT_MS / 1000} s`, "run `rssdrift 1 --backend bpf` to see the helper's own error"));
    }
    return done(ok(BPF_CHECKS.bpf, describeBpfHello(hello)), true);
  } catch (err) {
    if (!(err instanceof RssdriftError)) throw err;
    const fix = err.hint ?? "run `rssdrift 1 --backend bpf` to see the helper's own error";
    const pointsAt = CHECK_OF_CODE[err.code];
    if (pointsAt === undefined) return done(fail(BPF_CHECKS.bpf, `the helper's bpf reader failed (${err.code}): ${err.message}`, fix));
    // the helper knows better than a file test: its failure becomes that check's failure
    const own = checks[pointsAt]!;
    if (own.status !== "fail") checks[pointsAt] = fail(own.check, `the bpf reader says (${err.code}): ${err.message}`, fix);
    return done(fail(BPF_CHECKS.bpf, `refused (${err.code}): see ${pointsAt}`));
  }
}
