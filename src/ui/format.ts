// How the live view writes numbers: the vocabulary's formatters (so a figure reads the same in
// the TUI, the report and the Markdown), plus the clock of marks.
export {
  formatBytes,
  formatPages,
  formatPercent,
  formatSignedBytes,
  formatSignedPages,
} from "../vocabulary/quantities.js";

/** "12:03:09", local time */
export function clockTime(date: Date): string {
  return date.toTimeString().slice(0, 8);
}
