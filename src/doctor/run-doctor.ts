// `rssdrift doctor` over one transport: the helper checks everything itself, in one run of its
// check mode. As root that is the one round trip; for another user it runs once as that user
// (which tells that it is not root, and what needs no root), then through `sudo -n`, as rssdrift
// would start it: two.
import { DEFAULT_PYTHON } from "../sources/python.js";
import type { Transport } from "../transports/transport.js";
import { runHelperCheck } from "./helper-check.js";
import { type DoctorReport, fromLine, throughSudo, withoutPython, withoutSudo } from "./report.js";

export interface DoctorOptions {
  /** Ctrl-C: stops the helper */
  signal?: AbortSignal;
  /** --python / RSSDRIFT_PYTHON: the interpreter the helper runs in; default python3 */
  python?: string;
  /** --vmlinux: the debug info drgn is pointed at, checked instead of drgn's search path */
  vmlinux?: string;
}

export async function runDoctor(transport: Transport, options: DoctorOptions = {}): Promise<DoctorReport> {
  const python = options.python ?? DEFAULT_PYTHON;
  const run = (sudo: boolean) => runHelperCheck(transport, { sudo, python, vmlinux: options.vmlinux }, options.signal);
  const plain = await run(false);
  if (plain.kind === "line" && plain.line.euid === 0) return fromLine(transport.where, plain.line);
  // not root, or not known (the interpreter did not run as the user, but may through sudo's PATH)
  const viaSudo = await run(true);
  if (viaSudo.kind === "line") return throughSudo(transport.where, viaSudo.line, python);
  if (plain.kind === "line") return withoutSudo(transport.where, plain.line, viaSudo, python);
  if (plain.kind === "sudo-refused") throw plain.error; // never: sudo was not asked
  return withoutPython(transport.where, plain, viaSudo, python);
}
