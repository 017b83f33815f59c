// What `rssdrift doctor` found on one target: the helper's check line, plus what only rssdrift
// knows, because it started the helper: that it asked sudo, and what came of it, or that the
// interpreter never ran.
import {
  CHECK_BACKENDS,
  CHECK_NAMES,
  type CheckEntry,
  type CheckLine,
  type CheckStatus,
  type HelperBackend,
} from "../schema/helper-line.js";
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

const RUN_AS_ROOT = "run rssdrift as root on the target (here: sudo rssdrift doctor; over SSH: --host root@HOST)";

function entry(
  check: CheckEntry["check"],
  status: CheckStatus,
  detail: string,
  code: string | null = null,
  fix: string | null = null,
): DoctorCheck {
  return { check, backend: CHECK_BACKENDS[check], status, code, detail, fix };
}

/** The helper's own report, as it is. */
export function fromLine(where: string, line: CheckLine): DoctorReport {
  return { where, kernel: line.kernel, os: line.os, user: line.user, results: line.checks, autoUses: line.auto };
}

function withRoot(report: DoctorReport, root: DoctorCheck): DoctorReport {
  return { ...report, results: report.results.map((check) => (check.check === "root" ? root : check)) };
}

/** The helper ran through `sudo -n`: say so, in the words of the user who ran sudo. */
export function throughSudo(where: string, line: CheckLine, python: string): DoctorReport {
  const who = `running as ${line.user} (uid ${line.uid})`;
  return withRoot(fromLine(where, line), entry("root", "ok", `${who}; \`sudo -n\` may run ${python}, which is all the helper needs`));
}

type Failed = Exclude<CheckRun, { kind: "line" }>;

/** Why `sudo -n` did not run the helper, after `who` ("running as deploy (uid 1000)"). */
function sudoDidNotHelp(who: string, refused: Failed, python: string): DoctorCheck {
  switch (refused.kind) {
    case "sudo-refused": {
      const { error } = refused;
      if (error.code === "no-sudo") return entry("root", "fail", `${who}, and sudo is not installed`, error.code, RUN_AS_ROOT);
      const fix = [RUN_AS_ROOT, error.hint].filter(Boolean).join("; or ");
      return entry("root", "fail", `${who}, and \`sudo -n ${python}\` fails: ${refused.stderr || error.message}`, error.code, fix);
    }
    case "no-python":
      return entry(
        "root",
        "fail",
        `${who}; \`sudo -n\` finds no ${python}: ${refused.detail}`,
        "no-python",
        "name the interpreter by its full path with --python, e.g. /usr/bin/python3 (sudo searches its secure_path, not your PATH)",
      );
    case "python-failed":
      return entry("root", "fail", `${who}; through \`sudo -n\`, ${python} does not run: ${refused.detail}`, "helper-crashed", RUN_AS_ROOT);
  }
}

/**
 * The user is not root and `sudo -n` did not run the helper: the user's own report (what needs no
 * root still shows), its root line saying why sudo did not help, and auto left with the estimate:
 * rssdrift starts the kernel backends through sudo for a user who is not root.
 */
export function withoutSudo(where: string, line: CheckLine, refused: Failed, python: string): DoctorReport {
  const root = sudoDidNotHelp(`running as ${line.user} (uid ${line.uid})`, refused, python);
  return { ...withRoot(fromLine(where, line), root), autoUses: "procfs" };
}

/**
 * The interpreter did not run, as the user nor through sudo: only that is known, and what the
 * helper would have told is not checked.
 */
export function withoutPython(
  where: string,
  failed: Extract<Failed, { kind: "no-python" | "python-failed" }>,
  viaSudo: Failed,
  python: string,
): DoctorReport {
  const fixPython = python.startsWith("/")
    ? "install it, or name another with --python"
    : "install python3 with the distribution's package manager (e.g. apt install python3, dnf install python3), or name another with --python";
  const pythonCheck =
    failed.kind === "no-python"
      ? entry("python3", "fail", `not found: ${failed.detail}`, "no-python", fixPython)
      : entry(
          "python3",
          "fail",
          `${python} is there but does not run: ${failed.detail}`,
          "helper-crashed",
          `make ${python} runnable, or name another with --python`,
        );
  // sudo's answer says something of root only when sudo itself refused
  const root = viaSudo.kind === "sudo-refused" ? sudoDidNotHelp("not known to be root", viaSudo, python) : undefined;
  const results = CHECK_NAMES.map((name) => {
    if (name === "python3") return pythonCheck;
    if (name === "root" && root) return root;
    return entry(name, "skipped", `not checked (the helper runs in ${python})`);
  });
  return { where, kernel: null, os: null, user: null, results, autoUses: "procfs" };
}

/** A kernel backend works there: auto reads the kernel's own counters, not the estimate. */
export function kernelPathWorks(report: Pick<DoctorReport, "autoUses">): boolean {
  return report.autoUses !== "procfs";
}
