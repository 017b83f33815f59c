// Every failure the user can meet, as one class with a stable exit code, so the entry point
// can print one line and exit without a stack trace.
import { helperProtocol, type HelperErrorCode } from "./protocol/helper-protocol.js";

/** Exit codes scripts can rely on. Documented in `rssdrift --help`. */
export const EXIT = {
  ok: 0,
  internal: 1,
  /** bad arguments, a pid that is not a number, a kernel thread (no user memory) */
  badInput: 2,
  /** the target is gone: no such pid, exited, zombie, pid reused */
  targetGone: 3,
  /**
   * something a kernel backend needs is missing: root (or sudo without a password), python3; for bpf
   * BTF, a permitted bpf() and a supported architecture; for drgn, drgn, /proc/kcore, debug info
   */
  missingPrerequisite: 4,
  /**
   * the helper failed: crashed, printed a malformed line, met a kernel layout it does not know, or
   * (bpf) a read failed its own check, so no number was shown
   */
  helperFailure: 5,
  /** SSH: connection refused, unreachable, authentication failed */
  sshFailure: 6,
  /** SSH: the host key is unknown or has changed */
  hostKey: 7,
  /** the output could not be written: a full disk (ENOSPC), an I/O error */
  outputFailed: 8,
  /** stopped by Ctrl-C */
  interrupted: 130,
  /** the reader of the output went away (`| head -1`): quiet, the status of a SIGPIPE death (128 + 13) */
  closedPipe: 141,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class RssdriftError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    /** a second line: what to do about it */
    readonly hint?: string,
    /** the stable machine-readable code, for --json output */
    readonly code: string = "error",
  ) {
    super(message);
    this.name = "RssdriftError";
  }
}

/**
 * rssdrift exits with the status the helper exits with after its error line: the protocol groups
 * the helper's error codes by it (helpers/rssdrift_helper/protocol.json).
 */
const helperExitStatuses: [HelperErrorCode, ExitCode][] = helperProtocol.helperLine.$defs.HelperErrorCode.anyOf.flatMap((group) =>
  group.enum.map((code): [HelperErrorCode, ExitCode] => [code, group.exitStatus]),
);
// a Record: every code is in a group, since HelperErrorCode is the groups' codes
const exitCodeOfHelperError = Object.fromEntries(helperExitStatuses) as Record<HelperErrorCode, ExitCode>;

/**
 * What to do about an error of the bpf backend when the helper's line has no hint of its own.
 * The helper knows the details (which capability, which check); these say where to go next.
 */
export const DEFAULT_HINTS: Partial<Record<HelperErrorCode, string>> = {
  "no-btf":
    "this kernel has no /sys/kernel/btf/vmlinux (built without CONFIG_DEBUG_INFO_BTF): use a distribution kernel " +
    "(they ship BTF), or --backend drgn with the kernel's debug info",
  "bpf-refused":
    "bpf() needs root, or CAP_BPF and CAP_PERFMON (Linux 5.8+); in a container, a seccomp profile refuses it " +
    "(docker: --cap-add BPF --cap-add PERFMON, or run rssdrift on the host); `rssdrift doctor` shows which",
  "unsupported-arch": "the bpf reader does not know this architecture: use --backend drgn",
  "self-check-failed":
    "a read failed its own check, so no number was shown: use --backend drgn, and report the kernel (uname -r) " + "and this message",
};

/** The error a helper's `error` line stands for. */
export function helperError(code: HelperErrorCode, message: string, hint?: string): RssdriftError {
  return new RssdriftError(message, exitCodeOfHelperError[code], hint ?? DEFAULT_HINTS[code], code);
}
