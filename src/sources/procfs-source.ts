// The no-root backend: an estimate of the drift from /proc alone, for machines without root, BPF,
// drgn or /proc/kcore. The helper reads the files, checks the target and withholds a torn read
// (helpers/rssdrift_helper/procfs_reader.py), started like the other backends but without sudo:
// it reads nothing but the target's /proc files, which its owner may read.
import type { Transport } from "../transports/transport.js";
import { openHelperSource } from "./helper-source.js";
import type { SampleSource } from "./sample-source.js";

export interface ProcfsOptions {
  pid: number;
  intervalMs: number;
  count?: number;
  /** the interpreter on the target (--python, RSSDRIFT_PYTHON); default python3 */
  python?: string;
}

export function openProcfsSource(transport: Transport, { pid, intervalMs, count, python }: ProcfsOptions): Promise<SampleSource> {
  return openHelperSource(transport, {
    backend: "procfs",
    pid,
    intervalMs,
    count,
    python,
    smaps: true,
    sudo: false,
    where: transport.where,
  });
}
