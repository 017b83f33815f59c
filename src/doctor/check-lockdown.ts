// Check: kernel lockdown. Only lockdown=confidentiality blocks /proc/kcore (LOCKDOWN_KCORE) and
// bpf's reads of kernel memory (LOCKDOWN_BPF_READ_KERNEL), both in the confidentiality set;
// integrity, the mode Secure Boot usually turns on, blocks neither. Both backends need it.
import { type CheckResult, fail, ok, warn } from "./check.js";
import { lockdownBlocksKcore, parseLockdown } from "./lockdown.js";
import { probe } from "./probe.js";
import type { Transport } from "../transports/transport.js";

const NAME = "lockdown";
export const LOCKDOWN_FILE = "/sys/kernel/security/lockdown";

export async function checkLockdown(transport: Transport): Promise<CheckResult> {
  const read = await probe(transport, ["cat", LOCKDOWN_FILE]);
  const mode = read.code === 0 ? parseLockdown(read.stdout) : null;
  if (mode === null) {
    return warn(
      NAME,
      `mode unknown: ${LOCKDOWN_FILE} is not readable (securityfs not mounted, or no lockdown LSM); only [confidentiality] would block /proc/kcore and bpf's kernel reads`,
    );
  }
  if (!lockdownBlocksKcore(mode)) {
    return ok(NAME, mode === "none" ? "[none]: nothing is locked down" : "[integrity]: blocks writes to the kernel, not /proc/kcore or bpf reads");
  }
  return fail(
    NAME,
    "[confidentiality]: the kernel refuses /proc/kcore (drgn) and bpf's reads of kernel memory (bpf), even to root " +
      "(LOCKDOWN_KCORE and LOCKDOWN_BPF_READ_KERNEL are in the confidentiality set)",
    "lockdown can only be raised while running: remove lockdown=confidentiality from the kernel command line " +
      "(e.g. GRUB_CMDLINE_LINUX in /etc/default/grub, then update-grub) and reboot, or boot a kernel not built with " +
      "CONFIG_LOCK_DOWN_KERNEL_FORCE_CONFIDENTIALITY; integrity is fine for rssdrift",
  );
}
