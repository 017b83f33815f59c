// `rssdrift doctor` output: one line per check with ✔ / ! / ✘ (– for not checked), the fix under
// each failure, and what still works when the kernel path does not. JSON: an array of
// {check, ok, status, detail, fix}, ok being null for a check that was not run.
import { printable } from "../text/printable.js";
import type { CheckResult, CheckStatus } from "./check.js";
import type { DoctorReport } from "./run-doctor.js";
import { kernelPathWorks } from "./run-doctor.js";

const GLYPH: Record<CheckStatus, string> = { ok: "✔", warn: "!", fail: "✘", skipped: "–" };
const COLOR: Record<CheckStatus, string> = { ok: "\u001b[32m", warn: "\u001b[33m", fail: "\u001b[31m", skipped: "\u001b[2m" };
const RESET = "\u001b[0m";

export interface RenderOptions {
  color: boolean;
  /** the --host the user gave, repeated in the commands we suggest */
  host?: string;
}

export function renderDoctorText(report: DoctorReport, options: RenderOptions): string {
  const { facts, results } = report;
  // the target's words (release, os-release name, user, what the probes printed) made printable here
  const where = printable(facts.where);
  const paint = (status: CheckStatus, text: string) => (options.color ? `${COLOR[status]}${text}${RESET}` : text);
  const width = Math.max(...results.map((result) => result.check.length));
  const lines = [
    `rssdrift doctor: ${where} · kernel ${printable(facts.release || "unknown")} · ${printable(facts.os.prettyName)} · user ${printable(facts.user)}`,
    "",
  ];
  for (const result of results) {
    lines.push(`${paint(result.status, GLYPH[result.status])} ${result.check.padEnd(width)}  ${printable(result.detail)}`);
    if (result.status === "fail" && result.fix) lines.push(`  ${" ".repeat(width)}  fix: ${printable(result.fix)}`);
  }
  lines.push("");
  const hostFlag = options.host === undefined ? "" : ` --host ${printable(options.host)}`;
  if (kernelPathWorks(results)) {
    const warned = results.filter((result) => result.status === "warn").length;
    lines.push(
      warned === 0
        ? `All green: rssdrift can read the kernel's own counters with drgn on ${where}.`
        : `Nothing failed: rssdrift should read the kernel's own counters with drgn on ${where} (${warned} check${warned === 1 ? "" : "s"} could not be made, see !).`,
    );
    lines.push(`  rssdrift <pid>${hostFlag}         one report`, `  rssdrift watch <pid>${hostFlag}   live view`);
  } else {
    const failed = results.filter((result) => result.status === "fail").length;
    lines.push(
      `The kernel path (drgn) cannot work on ${where} yet: ${failed} check${failed === 1 ? "" : "s"} failed.`,
      "The procfs estimate still works (no root, no drgn; it is what --backend auto falls back to):",
      `  rssdrift <pid>${hostFlag} --backend procfs`,
    );
  }
  return `${lines.join("\n")}\n`;
}

export interface DoctorJsonEntry {
  check: string;
  /** null: not checked, because a check it needs failed; true for a warning (not known to block) */
  ok: boolean | null;
  status: CheckStatus;
  detail: string;
  fix: string | null;
}

export function toDoctorJson(results: readonly CheckResult[]): DoctorJsonEntry[] {
  return results.map((result) => ({
    check: result.check,
    ok: result.status === "skipped" ? null : result.status !== "fail",
    status: result.status,
    detail: result.detail,
    fix: result.fix ?? null,
  }));
}
