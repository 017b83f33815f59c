// What `rssdrift doctor` found on one target: the helper's check line, plus what only rssdrift
// knows, because it started the helper: that it asked sudo, and what came of it, or that the
// interpreter never ran.
import { CHECK_BACKENDS, CHECK_NAMES, type CheckEntry, type CheckLine, type CheckStatus, type HelperBackend } from "../schema/helper-line.js";
import type { CheckRun } from "./helper-check.js";

/** A check as doctor shows it: the helper's, or one rssdrift made (its code may be rssdrift's own, e.g. no-python). */
export interface DoctorCheck extends Omit<CheckEntry, "code"> {
  code: string | null;
}

export interface DoctorReport {
  /** the transport's name for the target: "this machine", "root@host:22" */
  where: string;
  /** the kernel release, the distribution's name and the user, as the helper found them; null when it never ran */
  kernel: string | null;
  os: string | null;
  user: string | null;
  /** every check in the order of the line: both, then bpf, then drgn */
  results: DoctorCheck[];
  /** what --backend auto would read with there */
  autoUses: HelperBackend;
}

function entry(check: CheckEntry["check"], status: CheckStatus, detail: string, code: string | null = null, fix: string | null = null): DoctorCheck {
  return { check, backend: CHECK_BACKENDS[check], status, code, detail, fix };
}

/** The helper's own report, as it is. */
export function fromLine(where: string, line: CheckLine): DoctorReport {
  return { where, kernel: line.kernel, os: line.os, user: line.user, results: line.checks, autoUses: line.auto };
}

function withRoot(report: DoctorReport, root: DoctorCheck): DoctorReport {
  return { ...report, results: report.results.map((check) => (check.check === "root" ? root : check)) };
}

/** The helper ran through `sudo -n`: say so, in the words of the user who asked. */
export function throughSudo(where: string, line: CheckLine, asked: CheckLine, python: string): DoctorReport {
  const who = `running as ${asked.user} (uid ${asked.uid})`;
  return withRoot(fromLine(where, line), entry("root", "ok", `${who}; \`sudo -n\` may run ${python}, which is all the helper needs`));
}

/**
 * The user is not root and `sudo -n` did not run the helper: the user's own report (what needs no
 * root still shows), its root line saying why sudo did not help, and auto left with the estimate:
 * rssdrift starts the kernel backends through sudo for a user who is not root.
 */
export function withoutSudo(where: string, line: CheckLine, refused: Exclude<CheckRun, { kind: "line" }>, python: string): DoctorReport {
  // the helper's own root line: "running as USER (uid N)", and how to run as root
  const own = line.checks.find((check) => check.check === "root");
  const who = own?.detail ?? `running as ${line.user} (uid ${line.uid})`;
  const runAsRoot = own?.fix ?? "run rssdrift as root on the target";
  let root: DoctorCheck;
  switch (refused.kind) {
    case "sudo-refused": {
      const { error } = refused;
      root =
        error.code === "no-sudo"
          ? entry("root", "fail", `${who}, and sudo is not installed`, error.code, runAsRoot)
          : entry("root", "fail", `${who}, and \`sudo -n ${python}\` fails: ${refused.stderr || error.message}`, error.code, [runAsRoot, error.hint].filter(Boolean).join("; or "));
      break;
    }
    case "no-python":
      root = entry(
        "root",
        "fail",
        `${who}; \`sudo -n\` finds no ${python}: ${refused.detail}`,
        "no-python",
        "name the interpreter by its full path with --python, e.g. /usr/bin/python3 (sudo searches its secure_path, not your PATH)",
      );
      break;
    case "python-failed":
      root = entry("root", "fail", `${who}; through \`sudo -n\`, ${python} does not run: ${refused.detail}`, "helper-crashed", runAsRoot);
      break;
  }
  return { ...withRoot(fromLine(where, line), root), autoUses: "procfs" };
}

/** The interpreter never ran: only that is known, and what it would have told is not checked. */
export function withoutPython(where: string, failed: Extract<CheckRun, { kind: "no-python" | "python-failed" }>, python: string): DoctorReport {
  const fixPython = python.startsWith("/")
    ? "install it, or name another with --python"
    : "install python3 with the distribution's package manager (e.g. apt install python3, dnf install python3), or name another with --python";
  const pythonCheck =
    failed.kind === "no-python"
      ? entry("python3", "fail", `${python}: not installed (${failed.detail})`, "no-python", fixPython)
      : entry("python3", "fail", `${python} is there but does not run: ${failed.detail}`, "helper-crashed", `make ${python} runnable, or name another with --python`);
  const results = CHECK_NAMES.map((name) => (name === "python3" ? pythonCheck : entry(name, "skipped", `not checked (the helper runs in ${python})`)));
  return { where, kernel: null, os: null, user: null, results, autoUses: "procfs" };
}

/** A kernel backend works there: auto reads the kernel's own counters, not the estimate. */
export function kernelPathWorks(report: Pick<DoctorReport, "autoUses">): boolean {
  return report.autoUses !== "procfs";
}
