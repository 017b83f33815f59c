// --timeout S (or RSSDRIFT_TIMEOUT=S): how long a one-shot reading (the report, each fleet host)
// waits for its first sample. Loading a kernel's debug info takes seconds, so the default is
// generous; past it, a silent helper (a stuck load, a wedged host) is one line and exit 5.
import { badInput } from "./parse-flags.js";

export const DEFAULT_FIRST_SAMPLE_TIMEOUT_S = 60;

export const deadlineFlags = {
  timeout: { type: "string" },
} as const;

export const deadlineFlagHelp = `  --timeout S                give up when no sample came within S seconds (default ${DEFAULT_FIRST_SAMPLE_TIMEOUT_S},
                             or RSSDRIFT_TIMEOUT=S): one line, exit 5`;

function parseSeconds(text: string, from: string): number {
  const seconds = /^\d{1,6}(\.\d{1,3})?$/.test(text) ? Number(text) : NaN;
  if (!(seconds >= 0.1 && seconds <= 86_400)) throw badInput(`${from} takes seconds from 0.1 to 86400, not ${JSON.stringify(text)}`);
  return seconds;
}

/** The first sample's deadline in ms: the flag, else the environment, else the default. */
export function firstSampleDeadlineMs(flag: string | undefined, env: NodeJS.ProcessEnv): number {
  if (flag !== undefined) return parseSeconds(flag, "--timeout") * 1000;
  if (env.RSSDRIFT_TIMEOUT !== undefined && env.RSSDRIFT_TIMEOUT !== "")
    return parseSeconds(env.RSSDRIFT_TIMEOUT, "RSSDRIFT_TIMEOUT") * 1000;
  return DEFAULT_FIRST_SAMPLE_TIMEOUT_S * 1000;
}
