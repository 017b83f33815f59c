// How the live view writes numbers: the analysis formatters (so a figure reads the same in the
// TUI, the report and the Markdown), plus the clock of marks and the backend's name.
import type { HelloLine } from "../schema/helper-line.js";
export {
  formatBytes,
  formatPages,
  formatPercent,
  formatSignedBytes,
  formatSignedPages,
} from "../analysis/format-bytes.js";

/** "12:03:09", local time */
export function clockTime(date: Date): string {
  return date.toTimeString().slice(0, 8);
}

/** what read the numbers, in a header: "bpf (offsets: kallsyms)", "drgn 0.0.31", "procfs estimate" */
export function backendLabel(hello: HelloLine): string {
  switch (hello.backend) {
    case "procfs":
      return "procfs estimate";
    case "bpf":
      return hello.bpf && hello.bpf.per_cpu_offsets !== "none" ? `bpf (offsets: ${hello.bpf.per_cpu_offsets})` : "bpf";
    case "drgn":
      return `drgn ${hello.drgn ?? "?"}`;
  }
}
