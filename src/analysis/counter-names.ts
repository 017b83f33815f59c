// How the kernel and a reader name each of the four mm counters.
import type { CounterName } from "../schema/helper-line.js";

/** include/linux/mm_types_task.h */
export const KERNEL_COUNTER_NAMES: Record<CounterName, string> = {
  file: "MM_FILEPAGES",
  anon: "MM_ANONPAGES",
  shmem: "MM_SHMEMPAGES",
  swap: "MM_SWAPENTS",
};

/** The kind of page a counter counts, as an adjective: "32 anonymous pages". */
export const COUNTER_ADJECTIVES: Record<CounterName, string> = {
  file: "file-backed",
  anon: "anonymous",
  shmem: "shared-memory",
  swap: "swapped-out",
};
