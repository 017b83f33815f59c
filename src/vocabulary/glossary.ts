// The terms on the screen, each in one line: the live view's help (`?`) lists them.
import { BATCH_RULE } from "./machine.js";
import { PERCPU_BOUND_RULE } from "./bound.js";

export const GLOSSARY: readonly (readonly [term: string, meaning: string])[] = [
  ["cached", "get_mm_counter(): the shared count; /proc/PID/stat always shows it"],
  ["exact", "the count plus every slot: percpu_counter_sum() (per-thread caches before 6.2)"],
  ["drift", "exact − cached: pages faulted in but not yet folded into the shared count"],
  ["residue", "what one CPU's slot (or thread's cache) holds; it flushes at ±batch"],
  ["batch", `percpu_counter_batch = ${BATCH_RULE}`],
  ["bound", `worst drift of one counter: ${PERCPU_BOUND_RULE}; VmRSS sums three`],
];
