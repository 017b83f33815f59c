// Which kernel backend --backend auto falls through, and what it keeps of a backend it passed
// over (its words: src/vocabulary/backends.ts skipLine).
import type { BackendSkip } from "../analysis/types.js";
import { EXIT, RssdriftError } from "../errors.js";

/** The order auto tries the readers of the kernel's own counters; the procfs estimate comes last. */
export const AUTO_ORDER = ["bpf", "drgn"] as const;

/**
 * Failures that say "this backend cannot run here", so auto tries the next one: a missing
 * prerequisite (exit 4), or a kernel this reader does not understand. Everything else stands at
 * once: a wrong or gone target (the next backend would say the same), or a helper bug.
 */
const BACKEND_LIMITS = new Set(["unsupported-layout", "unsupported-arch", "self-check-failed"]);

export function backendCannotRun(err: unknown): err is RssdriftError {
  return err instanceof RssdriftError && (err.exitCode === EXIT.missingPrerequisite || BACKEND_LIMITS.has(err.code));
}

export function skipOf(backend: BackendSkip["backend"], err: RssdriftError): BackendSkip {
  return { backend, code: err.code, reason: err.message, hint: err.hint ?? null };
}
