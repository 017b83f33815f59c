// The wire format of helpers/rss_stat.py, one JSON object per line, by the names the rest of the
// code uses. Its one source is helpers/rssdrift_helper/protocol.json, which the helper reads too;
// src/protocol/helper-protocol.ts is its generated TypeScript image (the types and the schema).
import { helperProtocol, type HelperErrorCode } from "../protocol/helper-protocol.js";

export type * from "../protocol/helper-protocol.js";

/** The JSON Schema of one line; validate-line.ts enforces it. */
export const helperLineSchema = helperProtocol.helperLine;
const { $defs } = helperLineSchema;

/** The kernel's four mm counters, by our short names (MM_FILEPAGES, MM_ANONPAGES, MM_SHMEMPAGES, MM_SWAPENTS). */
export const COUNTER_NAMES = $defs.SampleLine.properties.counters.required;
export type CounterName = (typeof COUNTER_NAMES)[number];
/** RSS = FILE + ANON + SHMEM; SWAP is not resident. */
export const RSS_COUNTERS = ["file", "anon", "shmem"] as const satisfies readonly CounterName[];

/** Every code an error line may carry. */
export const ERROR_CODES: readonly HelperErrorCode[] = $defs.HelperErrorCode.anyOf.flatMap((group) => group.enum);
