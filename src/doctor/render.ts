// `rssdrift doctor` output: one line per check with ✔ / ! / ✘ (– for not checked), the fix under
// each failure, grouped by backend, and which backend --backend auto would use there. JSON: the
// target, auto's backend, and the checks as {check, backend, ok, status, code, detail, fix}, ok
// being null for a check that was not run.
import type { CheckBackend, CheckStatus, HelperBackend } from "../schema/helper-line.js";
import { printable } from "../text/printable.js";
import { type DoctorReport, kernelPathWorks } from "./report.js";

const GLYPH: Record<CheckStatus, string> = { ok: "✔", warn: "!", fail: "✘", skipped: "–" };
const COLOR: Record<CheckStatus, string> = { ok: "\u001b[32m", warn: "\u001b[33m", fail: "\u001b[31m", skipped: "\u001b[2m" };
const RESET = "\u001b[0m";

export interface RenderOptions {
  color: boolean;
  /** the --host the user gave, repeated in the commands we suggest */
  host?: string;
}

const GROUP_TITLE: Record<CheckBackend, string | null> = {
  both: null,
  bpf: "bpf backend (tried first by --backend auto): root or CAP_BPF + CAP_PERFMON, and BTF; no debug info",
  drgn: "drgn backend (tried next): root, /proc/kcore, drgn and the kernel's debug info",
};

const AUTO_WORDS = {
  bpf: "with the bpf backend",
  drgn: "with the drgn backend (bpf cannot run there: see its ✘ above)",
} as const;

export function renderDoctorText(report: DoctorReport, options: RenderOptions): string {
  const { results } = report;
  // the target's words (release, os-release name, user, what the checks found) made printable here
  const where = printable(report.where);
  const paint = (status: CheckStatus, text: string) => (options.color ? `${COLOR[status]}${text}${RESET}` : text);
  const width = Math.max(...results.map((result) => result.check.length));
  const facts = [
    where,
    `kernel ${printable(report.kernel ?? "unknown")}`,
    ...(report.os === null ? [] : [printable(report.os)]),
    ...(report.user === null ? [] : [`user ${printable(report.user)}`]),
  ];
  const lines = [`rssdrift doctor: ${facts.join(" · ")}`, ""];
  for (const group of ["both", "bpf", "drgn"] as const) {
    const title = GROUP_TITLE[group];
    if (title) lines.push("", title);
    for (const result of results.filter((check) => check.backend === group)) {
      lines.push(`${paint(result.status, GLYPH[result.status])} ${result.check.padEnd(width)}  ${printable(result.detail)}`);
      if (result.status === "fail" && result.fix) lines.push(`  ${" ".repeat(width)}  fix: ${printable(result.fix)}`);
    }
  }
  lines.push("");
  const hostFlag = options.host === undefined ? "" : ` --host ${printable(options.host)}`;
  if (kernelPathWorks(report)) {
    const allGreen = results.every((result) => result.status === "ok");
    const warned = results.filter((result) => result.status === "warn").length;
    const caveat = warned === 0 ? "" : ` (${warned} check${warned === 1 ? "" : "s"} could not be made, see !)`;
    lines.push(
      `${allGreen ? "All green: " : ""}rssdrift reads the kernel's own counters on ${where} ${AUTO_WORDS[report.autoUses as "bpf" | "drgn"]}${caveat}.`,
      `--backend auto (the default) uses ${report.autoUses} there.`,
    );
    lines.push(`  rssdrift <pid>${hostFlag}         one report`, `  rssdrift watch <pid>${hostFlag}   live view`);
  } else {
    const failed = results.filter((result) => result.status === "fail").length;
    lines.push(
      `Neither kernel backend (bpf, drgn) can work on ${where} yet: ${failed} check${failed === 1 ? "" : "s"} failed.`,
      "--backend auto uses the procfs estimate there (python3 alone: no root, no kernel backend; it is what auto falls back to):",
      `  rssdrift <pid>${hostFlag} --backend procfs`,
    );
  }
  return `${lines.join("\n")}\n`;
}

export interface DoctorJsonEntry {
  check: string;
  /** what the check is for: both kernel backends, bpf or drgn */
  backend: CheckBackend;
  /** null: not checked, because a check it needs failed; true for a warning (not known to block) */
  ok: boolean | null;
  status: CheckStatus;
  /** a failure's stable code (the helper's error code, e.g. no-kcore), else null */
  code: string | null;
  detail: string;
  fix: string | null;
}

export interface DoctorJson {
  where: string;
  /** null when the helper never ran (no python3) */
  kernel: string | null;
  os: string | null;
  user: string | null;
  /** what --backend auto would read with there: bpf, drgn, or procfs (the estimate) */
  auto: HelperBackend;
  checks: DoctorJsonEntry[];
}

export function toDoctorJson(report: DoctorReport): DoctorJson {
  return {
    where: report.where,
    kernel: report.kernel,
    os: report.os,
    user: report.user,
    auto: report.autoUses,
    checks: report.results.map((result) => ({
      check: result.check,
      backend: result.backend,
      ok: result.status === "skipped" ? null : result.status !== "fail",
      status: result.status,
      code: result.code,
      detail: result.detail,
      fix: result.fix,
    })),
  };
}
