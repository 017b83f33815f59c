// What the bound means for a test that allocates S bytes and asserts the RSS grew by S.
import { anonBoundPages } from "./bound.js";
import type { Bound } from "./types.js";

export interface AllocationReading {
  allocBytes: number;
  /** the allocation in whole pages (the kernel counts pages) */
  allocPages: number;
  /** worst-case drift of the anon counter the allocation lands in, pages */
  boundPages: number;
  /** the least the cached counter can show of it: the pages can all sit in slots */
  lowPages: number;
  /** the most: slots can also hold frees, or flush older pages, so it can read high */
  highPages: number;
  lowBytes: number;
  highBytes: number;
  /** the bound reaches the allocation, so a test can read none of it */
  canReadZero: boolean;
}

/** An anonymous allocation of allocBytes, read through the cached counter, at worst. */
export function allocationReading(allocBytes: number, bound: Bound, pageSize: number): AllocationReading {
  const allocPages = Math.ceil(allocBytes / pageSize);
  const boundPages = anonBoundPages(bound);
  const lowPages = Math.max(0, allocPages - boundPages);
  const highPages = allocPages + boundPages;
  return {
    allocBytes,
    allocPages,
    boundPages,
    lowPages,
    highPages,
    lowBytes: lowPages * pageSize,
    highBytes: highPages * pageSize,
    canReadZero: boundPages >= allocPages,
  };
}
