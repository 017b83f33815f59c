// The kernel's enum name of each of the four mm counters.
import type { CounterName } from "../schema/helper-line.js";

/** include/linux/mm_types_task.h */
export const KERNEL_COUNTER_NAMES: Record<CounterName, string> = {
  file: "MM_FILEPAGES",
  anon: "MM_ANONPAGES",
  shmem: "MM_SHMEMPAGES",
  swap: "MM_SWAPENTS",
};
