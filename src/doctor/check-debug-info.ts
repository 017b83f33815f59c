// Check: DWARF for the running kernel, where drgn looks for it. drgn cannot use BTF, and without
// DWARF it only warns, then fails on the first type lookup; so look before the helper does.
import { type CheckResult, fail, ok } from "./check.js";
import { type Privilege, pythonProbe } from "./check-root.js";
import { type DrgnVersion, atLeast, bannerDebuginfod } from "./drgn-version.js";
import { ELF_DEBUG_INFO_SCRIPT, type ElfDebugStatus, parseElfDebugStatus } from "./elf-debug-info.js";
import { type InstallContext, type PackageState, debugInfoPackage, installDebugInfo } from "./install-commands.js";
import { probe } from "./probe.js";
import type { TargetFacts } from "./target-facts.js";
import type { Transport } from "../transports/transport.js";

const NAME = "debug info";

/** drgn's vmlinux search path for a release (libdrgn, in this order: /usr/lib/debug first). */
export function vmlinuxCandidates(release: string): string[] {
  return [
    `/usr/lib/debug/boot/vmlinux-${release}`,
    `/usr/lib/debug/lib/modules/${release}/vmlinux`,
    `/boot/vmlinux-${release}`,
    `/lib/modules/${release}/build/vmlinux`,
  ];
}

/** The first drgn release that can use debuginfod for the kernel (and then only on Fedora). */
const DEBUGINFOD_FOR_KERNEL = [0, 0, 31];

/** Without python3, only whether the files are there can be told. */
const LIST_READABLE = 'for p do if [ -r "$p" ]; then printf "%s\\tfound\\n" "$p"; fi; done';

/** apt's word on package $1: available, none (unknown or no candidate), unknown (no apt, or no lists). */
const APT_PACKAGE_STATE =
  "command -v apt-cache >/dev/null 2>&1 || { echo unknown; exit 0; }\n" +
  // without package lists (never `apt update`d, or cleaned) apt knows nothing, which says nothing
  'for f in /var/lib/apt/lists/*_Packages*; do break; done; [ -e "$f" ] || { echo unknown; exit 0; }\n' +
  'out=$(apt-cache policy "$1" 2>/dev/null) || { echo unknown; exit 0; }\n' +
  'case "$out" in "" | *"Candidate: (none)"*) echo none ;; *Candidate:*) echo available ;; *) echo unknown ;; esac\n';

export function parsePackageState(stdout: string): PackageState {
  const word = stdout.trim();
  return word === "available" || word === "none" ? word : "unknown";
}

async function debugPackageState(transport: Transport, install: InstallContext, release: string): Promise<PackageState> {
  if (install.family !== "debian" && install.family !== "ubuntu") return "unknown";
  const run = await probe(transport, ["sh", "-c", APT_PACKAGE_STATE, "sh", debugInfoPackage(install.family, release)]);
  return run.code === 0 ? parsePackageState(run.stdout) : "unknown";
}

interface DebuginfodFacts {
  urls: string;
  drgn: DrgnVersion | null;
  osId: string;
  /** from drgn's --version banner; null when it does not say */
  built: boolean | null;
}

/** Whether drgn will fetch the kernel's DWARF with debuginfod, and if not, why not. */
export function debuginfodVerdict(facts: DebuginfodFacts): { usable: boolean; reason: string } {
  if (facts.urls === "") return { usable: false, reason: "DEBUGINFOD_URLS is not set" };
  if (facts.drgn === null) return { usable: false, reason: "DEBUGINFOD_URLS is set, but drgn is missing" };
  if (!atLeast(facts.drgn, DEBUGINFOD_FOR_KERNEL)) {
    return { usable: false, reason: `DEBUGINFOD_URLS is set, but drgn ${facts.drgn.text} cannot use debuginfod for the kernel (0.0.31 or newer can)` };
  }
  if (facts.osId !== "fedora") {
    return {
      usable: false,
      reason: "DEBUGINFOD_URLS is set, but drgn uses debuginfod for the kernel only on Fedora (elsewhere vmlinux downloads are too slow)",
    };
  }
  if (facts.built === false) return { usable: false, reason: "DEBUGINFOD_URLS is set, but this drgn was built without debuginfod" };
  return { usable: true, reason: `drgn ${facts.drgn.text} will download it with debuginfod (${facts.urls}): hundreds of MB on the first run` };
}

function describe(path: string, status: ElfDebugStatus): string {
  if (status === "no-debug-info") return `${path} has no DWARF (stripped)`;
  if (status === "not-elf") return `${path} is not an ELF file`;
  return `${path}: ${status}`;
}

export interface PythonOnTarget {
  /** --python, or python3 */
  command: string;
  present: boolean;
}

export async function checkDebugInfo(
  transport: Transport,
  facts: TargetFacts,
  privilege: Privilege,
  python: PythonOnTarget,
  drgn: DrgnVersion | null,
  install: InstallContext,
  /** --vmlinux: the only file looked at */
  vmlinux?: string,
): Promise<CheckResult> {
  const candidates = vmlinux === undefined ? vmlinuxCandidates(facts.release) : [vmlinux];
  const pythonPresent = python.present;
  const listing = pythonPresent
    ? await probe(transport, pythonProbe(privilege, python.command, ["-c", ELF_DEBUG_INFO_SCRIPT, ...candidates]))
    : await probe(transport, ["sh", "-c", LIST_READABLE, "sh", ...candidates]);
  const statuses = parseElfDebugStatus(listing.stdout);
  const found = candidates.find((path) => statuses.get(path) === "debug-info" || statuses.get(path) === "found");
  if (found !== undefined) {
    return ok(NAME, statuses.get(found) === "found" ? `${found} (DWARF not verified: no ${python.command})` : `${found} (has .debug_info)`);
  }
  if (vmlinux !== undefined) {
    const status = statuses.get(vmlinux);
    return fail(
      NAME,
      `--vmlinux ${vmlinux}: ${status === undefined || status === "missing" ? "not there (or not readable)" : describe(vmlinux, status)}`,
      `give --vmlinux the uncompressed vmlinux with DWARF that kernel ${facts.release} was built from (not /boot/vmlinuz)`,
    );
  }

  // as the helper would see it: through sudo, which usually drops it (env_reset)
  const env = pythonPresent
    ? await probe(transport, pythonProbe(privilege, python.command, ["-c", "import os; print(os.environ.get('DEBUGINFOD_URLS', ''))"]))
    : { stdout: "" };
  const banner =
    env.stdout.trim() !== "" && drgn !== null && atLeast(drgn, DEBUGINFOD_FOR_KERNEL)
      ? (await probe(transport, pythonProbe(privilege, python.command, ["-m", "drgn", "--version"]))).stdout
      : "";
  const verdict = debuginfodVerdict({ urls: env.stdout.trim(), drgn, osId: facts.os.id, built: bannerDebuginfod(banner) });
  if (verdict.usable) return ok(NAME, `no local vmlinux for ${facts.release}; ${verdict.reason}`);

  const unusable = candidates.flatMap((path) => {
    const status = statuses.get(path);
    return status === undefined || status === "missing" ? [] : [describe(path, status)];
  });
  const detail =
    `no vmlinux with DWARF for ${facts.release} where drgn looks (/usr/lib/debug/boot, /usr/lib/debug/lib/modules, /boot, /lib/modules/…/build)` +
    (unusable.length > 0 ? `; ${unusable.join("; ")}` : "") +
    (verdict.reason === "DEBUGINFOD_URLS is not set" ? "" : `; ${verdict.reason}`);
  return fail(NAME, detail, installDebugInfo(install, facts.release, await debugPackageState(transport, install, facts.release)));
}
