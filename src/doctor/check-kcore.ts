// Check: /proc/kcore, the live kernel's memory as an ELF core file, which drgn reads. It is
// missing when the kernel is built without CONFIG_PROC_KCORE, or when a container hides it.
// When it is there and root is at hand, read its first bytes as root, with python3 as the helper
// runs (a sudoers rule may allow python3 and nothing else): that is what drgn will do, and it
// fails the same way drgn would (lockdown=confidentiality, no CAP_SYS_RAWIO in a container).
import { type CheckResult, fail, ok } from "./check.js";
import { type Privilege, notFound, pythonProbe } from "./check-root.js";
import { lastLine, probe } from "./probe.js";
import type { TargetFacts } from "./target-facts.js";
import type { Transport } from "../transports/transport.js";

const NAME = "/proc/kcore";

/** What the kernel config says about CONFIG_PROC_KCORE: built in, not built, or unknown. */
export type KcoreConfig = "built" | "not-built" | "unknown";

export function parseKcoreConfig(configText: string): KcoreConfig {
  if (/^CONFIG_PROC_KCORE=y\s*$/m.test(configText)) return "built";
  if (/^# CONFIG_PROC_KCORE is not set\s*$/m.test(configText)) return "not-built";
  return "unknown";
}

/** The kernel config of the running kernel, from /proc/config.gz or /boot/config-$1. */
const READ_KCORE_CONFIG =
  '{ zcat /proc/config.gz 2>/dev/null || cat "/boot/config-$1" 2>/dev/null; } | grep -E "^(# )?CONFIG_PROC_KCORE[= ]" || true';

/** Reads kcore's ELF header, as drgn's first read does. */
const READ_KCORE_HEADER = "open('/proc/kcore', 'rb').read(64)";

function explainMissing(config: KcoreConfig): { detail: string; fix: string } {
  const onHost = "if this is a container, run rssdrift on the host (or give the container the host's /proc and CAP_SYS_RAWIO)";
  switch (config) {
    case "not-built":
      return {
        detail: "missing: this kernel is built without CONFIG_PROC_KCORE (its config says `# CONFIG_PROC_KCORE is not set`)",
        fix: "boot a kernel built with CONFIG_PROC_KCORE=y (distribution kernels are); nothing in user space can add it",
      };
    case "built":
      return {
        detail: "missing, though the kernel is built with CONFIG_PROC_KCORE=y: this /proc hides it (a container?)",
        fix: onHost,
      };
    case "unknown":
      return {
        detail: "missing: the kernel is built without CONFIG_PROC_KCORE, or a container hides it",
        fix: `boot a kernel built with CONFIG_PROC_KCORE=y (distribution kernels are); ${onHost}`,
      };
  }
}

export async function checkKcore(transport: Transport, facts: TargetFacts, privilege: Privilege, python: string): Promise<CheckResult> {
  const present = await probe(transport, ["test", "-e", "/proc/kcore"]);
  if (present.code !== 0) {
    const config = await probe(transport, ["sh", "-c", READ_KCORE_CONFIG, "sh", facts.release]);
    const { detail, fix } = explainMissing(parseKcoreConfig(config.stdout));
    return fail(NAME, detail, fix);
  }
  if (privilege === "none") return ok(NAME, "present (not read: that needs root, see above)");
  const read = await probe(transport, pythonProbe(privilege, python, ["-c", READ_KCORE_HEADER]));
  if (read.code === 0) return ok(NAME, "present, and root can read it");
  if (notFound(read.code, read.stderr, python)) return ok(NAME, `present (not read: no ${python}, see below)`);
  return fail(
    NAME,
    `present, but root cannot read it: ${lastLine(read.stderr) || `exit ${read.code}`}`,
    "see the lockdown line below; in a container, the container needs CAP_SYS_RAWIO (or run rssdrift on the host)",
  );
}
