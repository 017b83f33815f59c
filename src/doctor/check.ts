// One line of `rssdrift doctor`: what was checked, how it went, and the command that fixes it.

/**
 * warn: nothing known to block the kernel path, but it could not be checked (it is not a pass);
 * skipped: not checked, because a check it depends on failed
 */
export type CheckStatus = "ok" | "warn" | "fail" | "skipped";

export interface CheckResult {
  /** short name, e.g. "drgn", "/proc/kcore" */
  check: string;
  status: CheckStatus;
  /** what was found, one or two sentences */
  detail: string;
  /** the exact command (or step) that fixes a failure */
  fix?: string;
}

export const ok = (check: string, detail: string): CheckResult => ({ check, status: "ok", detail });
export const warn = (check: string, detail: string): CheckResult => ({ check, status: "warn", detail });
export const fail = (check: string, detail: string, fix?: string): CheckResult => ({
  check,
  status: "fail",
  detail,
  ...(fix === undefined ? {} : { fix }),
});
export const skipped = (check: string, detail: string): CheckResult => ({ check, status: "skipped", detail });
