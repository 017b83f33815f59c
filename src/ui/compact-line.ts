// The non-interactive view (CI logs, pipes): one line per sample, each number with its label,
// and one header line. Pure text.
import type { AnalysedSample } from "../analysis/types.js";
import type { HelloLine } from "../schema/helper-line.js";
import { printable, printableStrings } from "../text/printable.js";
import { backendName, NO_ESTIMATE } from "../vocabulary/backends.js";
import { machineLine } from "../vocabulary/machine.js";
import { formatPercent, formatSignedBytes, formatSignedPages } from "./format.js";

/** residue slots named on a line at most; the rest are counted */
const SLOTS_ON_A_LINE = 4;

/** "# rssdrift: drgn helper on this machine · kernel … · drgn 0.0.31 · era percpu · 4 of 8 CPUs online · batch 32 · page size 4 KiB · pid 42 (x) · every 500 ms" */
export function compactHeader(exact: HelloLine, exactOrigin: string): string {
  // the target's strings (comm, release, drgn version) and the origin (a host, a file name), made printable
  const hello = printableStrings(exact);
  const origin = printable(exactOrigin);
  return (
    `# rssdrift: ${origin} · kernel ${hello.kernel} · ${backendName(hello)} · era ${hello.era} · ` +
    `${machineLine(hello)} · pid ${hello.target.pid} (${hello.target.comm}) · every ${hello.interval_ms} ms`
  );
}

/** "#17 t+8.5s RSS cached 1224 exact 1257 drift +33 pages (+132 KiB, 9% of bound 372) residue cpu1 +31 … | statm=exact …" */
export function compactLine({ sample, analysis }: AnalysedSample, firstMonoMs: number): string {
  const { rss, bound } = analysis;
  const seconds = ((sample.mono_ms - firstMonoMs) / 1000).toFixed(1);
  if (rss === null) return `#${sample.seq} t+${seconds}s RSS (estimate): ${NO_ESTIMATE}`;
  const parts = [
    `#${sample.seq} t+${seconds}s`,
    `RSS${analysis.estimate ? " (estimate)" : ""} cached ${rss.cached} exact ${rss.exact}`,
    `drift ${formatSignedPages(rss.driftPages)} pages (${formatSignedBytes(rss.driftBytes)}, ${formatPercent(rss.fractionOfBound)} of bound ${bound.pagesForRss})`,
  ];
  if (!analysis.estimate && analysis.era !== "none") {
    const slots = analysis.residue;
    const label = slots[0]?.kind === "thread" ? "tid" : "cpu";
    const named = slots.slice(0, SLOTS_ON_A_LINE).map((s) => `${label}${s.slot} ${formatSignedPages(s.pages)}`);
    if (slots.length > SLOTS_ON_A_LINE) named.push(`+${slots.length - SLOTS_ON_A_LINE} more`);
    parts.push(`residue ${named.length > 0 ? named.join(" ") : "none"}`);
  }
  parts.push("|", analysis.readers.map((r) => `${r.reader}=${r.verdict}`).join(" "));
  return parts.join(" ");
}
