// What a source reads and how it reaches it: the process, the backend, the pace, and the machine
// (this one, or one over SSH). The commands build it from their flags (src/commands/target-options.ts).
import type { SshOptions } from "../transports/ssh-options.js";

export type Backend = "auto" | "bpf" | "drgn" | "procfs";

export interface TargetOptions {
  pid: number;
  backend: Backend;
  intervalMs: number;
  /** stop after this many samples; omitted: until closed */
  count?: number;
  smaps: boolean;
  /** [user@]host[:port]; omitted: this machine */
  host?: string;
  ssh: SshOptions;
  /** the Python that runs the helper on the target (--python, else RSSDRIFT_PYTHON); omitted: python3 */
  python?: string;
  /** a vmlinux with DWARF on the target for drgn (--vmlinux); omitted: drgn searches the usual places */
  vmlinux?: string;
}
