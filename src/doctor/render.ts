// `rssdrift doctor` output: one line per check with ✔ / ! / ✘ (– for not checked), the fix under
// each failure, grouped by backend, and which backend --backend auto would use there. JSON: an
// array of {check, backend, ok, status, detail, fix}, ok being null for a check that was not run.
import { printable } from "../text/printable.js";
import type { CheckStatus } from "./check.js";
import { type CheckGroup, type DoctorReport, kernelPathWorks } from "./run-doctor.js";

const GLYPH: Record<CheckStatus, string> = { ok: "✔", warn: "!", fail: "✘", skipped: "–" };
const COLOR: Record<CheckStatus, string> = { ok: "\u001b[32m", warn: "\u001b[33m", fail: "\u001b[31m", skipped: "\u001b[2m" };
const RESET = "\u001b[0m";

export interface RenderOptions {
  color: boolean;
  /** the --host the user gave, repeated in the commands we suggest */
  host?: string;
}

const GROUP_TITLE: Record<CheckGroup, string | null> = {
  both: null,
  bpf: "bpf backend (tried first by --backend auto): root or CAP_BPF + CAP_PERFMON, and BTF; no debug info",
  drgn: "drgn backend (tried next): root, /proc/kcore, drgn and the kernel's debug info",
};

const AUTO_WORDS = {
  bpf: "with the bpf backend",
  drgn: "with the drgn backend (bpf cannot run there: see its ✘ above)",
} as const;

export function renderDoctorText(report: DoctorReport, options: RenderOptions): string {
  const { facts, results, groups } = report;
  // the target's words (release, os-release name, user, what the probes printed) made printable here
  const where = printable(facts.where);
  const paint = (status: CheckStatus, text: string) => (options.color ? `${COLOR[status]}${text}${RESET}` : text);
  const width = Math.max(...results.map((result) => result.check.length));
  const lines = [
    `rssdrift doctor: ${where} · kernel ${printable(facts.release || "unknown")} · ${printable(facts.os.prettyName)} · user ${printable(facts.user)}`,
    "",
  ];
  for (const group of ["both", "bpf", "drgn"] as const) {
    const title = GROUP_TITLE[group];
    if (title) lines.push("", title);
    for (const result of groups[group]) {
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
  backend: CheckGroup;
  /** null: not checked, because a check it needs failed; true for a warning (not known to block) */
  ok: boolean | null;
  status: CheckStatus;
  detail: string;
  fix: string | null;
}

export function toDoctorJson(report: Pick<DoctorReport, "groups">): DoctorJsonEntry[] {
  const grouped = (["both", "bpf", "drgn"] as const).flatMap((group) => report.groups[group].map((result) => ({ group, result })));
  return grouped.map(({ group, result }) => ({
    check: result.check,
    backend: group,
    ok: result.status === "skipped" ? null : result.status !== "fail",
    status: result.status,
    detail: result.detail,
    fix: result.fix ?? null,
  }));
}
