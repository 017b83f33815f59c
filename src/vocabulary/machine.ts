// The words for the machine a sample came from: its CPUs, the per-CPU batch and the page size,
// one line in the report, the Markdown, the live view and the non-interactive header.
import { PERCPU_BATCH_FLOOR, PERCPU_BATCH_PER_CPU } from "../analysis/bound.js";
import type { HelloLine } from "../schema/helper-line.js";
import { countOf, formatBytes } from "./quantities.js";

/** lib/percpu_counter.c compute_batch_value(), in words: "max(32, 2 × online CPUs)" */
export const BATCH_RULE = `max(${PERCPU_BATCH_FLOOR}, ${PERCPU_BATCH_PER_CPU} × online CPUs)`;

/** "4 of 8 CPUs online": the online ones count for the batch and the bound; possible = cpu_possible_mask */
export function cpusOnline(online: number, possible: number): string {
  return `${online} of ${countOf(possible, "CPU")} online`;
}

/** "batch 32", or "batch unknown" where the kernel has none or the backend cannot read it */
export function batchWords(batch: number | null): string {
  return `batch ${batch ?? "unknown"}`;
}

/** "page size 4 KiB" */
export function pageSizeWords(bytes: number): string {
  return `page size ${formatBytes(bytes)}`;
}

/** "4 of 8 CPUs online · batch 32 · page size 4 KiB", and the target's threads when given */
export function machineLine(hello: Pick<HelloLine, "cpus" | "batch" | "page_size">, threads?: number): string {
  const words = [cpusOnline(hello.cpus.online.length, hello.cpus.possible.length), batchWords(hello.batch), pageSizeWords(hello.page_size)];
  return [...words, ...(threads === undefined ? [] : [countOf(threads, "thread")])].join(" · ");
}
