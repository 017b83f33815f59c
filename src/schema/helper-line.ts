// The wire format of helpers/rss_stat.py, one JSON object per line, by the names the rest of the
// code uses. Its one source is helpers/rssdrift_helper/protocol.json, which the helper reads too;
// src/protocol/helper-protocol.ts is its generated TypeScript image (the types and the schema).
import {
  helperProtocol,
  type CheckEntry,
  type ErrorLine,
  type HelloLine,
  type HelperErrorCode,
  type ProgressLine,
  type SampleLine,
} from "../protocol/helper-protocol.js";

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

/** The lines of a sampling run; the check line comes only from `--check`. */
export type HelperLine = HelloLine | SampleLine | ProgressLine | ErrorLine;

// --- the check line: `rss_stat.py --check` (helpers/rssdrift_helper/checks.py), which `rssdrift doctor` renders

export type CheckName = CheckEntry["check"];
export type CheckStatus = CheckEntry["status"];
export type CheckBackend = CheckEntry["backend"];
export type CheckCode = NonNullable<CheckEntry["code"]>;

/** Every check, in the order of the line. */
export const CHECK_NAMES = $defs.CheckEntry.properties.check.enum;

/** What each check is for: both kernel backends, or one of them (the schema's if/then rules). */
export const CHECK_BACKENDS = Object.fromEntries(
  $defs.CheckEntry.allOf.map((rule) => [rule.if.properties.check.const, rule.then.properties.backend.const]),
) as Record<CheckName, CheckBackend>;
