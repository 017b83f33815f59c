// argv parsing for every command: node:util parseArgs, with its errors (some three lines long,
// some naming `--` tricks) turned into one line of ours, with "did you mean" for a near miss; and
// the one parser of the whole numbers argv carries.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { EXIT, RssdriftError } from "../errors.js";

export type Flags = NonNullable<ParseArgsConfig["options"]>;

export function badInput(message: string, hint?: string): RssdriftError {
  return new RssdriftError(message, EXIT.badInput, hint, "bad-input");
}

/**
 * The one parser of whole numbers on the command line (pids, --interval, --count, --parallel):
 * decimal digits only, no sign, exponent, hex, spaces or leading zeros; null when not one in range.
 */
export function wholeNumber(text: string, min: number, max: number): number | null {
  if (!/^(0|[1-9]\d{0,14})$/.test(text)) return null;
  const value = Number(text);
  return value >= min && value <= max ? value : null;
}

/** a word from argv as it may be shown: bare when printable ASCII, else JSON-quoted */
export function shownWord(word: string): string {
  return /^[\x21-\x7e]+$/.test(word) ? word : JSON.stringify(word);
}

/** edits (insert, delete, replace, swap two neighbours) from a to b: "wacth" is 1 from "watch" */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** the known word nearest to `given`, if it is a near miss: a typo, or the start of only one */
export function nearMiss(given: string, known: readonly string[]): string | undefined {
  const prefixed = known.filter((word) => word.startsWith(given));
  if (prefixed.length === 1) return prefixed[0];
  const scored = known
    .map((word) => ({ word, distance: editDistance(given, word) }))
    .filter(({ distance }) => distance <= (given.length >= 6 ? 2 : 1))
    .sort((a, b) => a.distance - b.distance);
  return scored[0]?.word;
}

/** the known flag nearest to an unknown one, if it is a near miss (a typo or a prefix) */
export function nearestFlag(unknown: string, options: Flags): string | undefined {
  const given = unknown.replace(/=.*$/, "");
  if (!given.startsWith("--") || given.length < 4) return undefined;
  return nearMiss(
    given,
    Object.keys(options).map((name) => `--${name}`),
  );
}

/** parseArgs' error as one line of ours */
function oneLine(err: Error & { code?: string }, options: Flags): string {
  const quoted = /'([^']*)'/.exec(err.message)?.[1] ?? "";
  switch (err.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION": {
      const near = nearestFlag(quoted, options);
      return `unknown option ${shownWord(quoted)}${near ? ` (did you mean ${near}?)` : ""}`;
    }
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE": {
      const flag = quoted
        .replace(/ <value>$/, "")
        .split(", ")
        .pop()!;
      if (/does not take an argument/.test(err.message)) return `${flag} takes no value`;
      const long = /'(--[\w-]+)=-XYZ'/.exec(err.message)?.[1] ?? flag;
      if (/ambiguous/.test(err.message)) return `${flag} needs a value (one that starts with "-" is written ${long}=-VALUE)`;
      return `${flag} needs a value`;
    }
    default:
      return err.message.split("\n")[0] ?? "bad arguments";
  }
}

export type Parsed<O extends Flags> = ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>>;

/** parseArgs, strict, positionals kept; a bad argv is one line of bad input (exit 2) that points at `help` */
export function parseFlags<O extends Flags>(argv: string[], options: O, help: string): Parsed<O> {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new RssdriftError(oneLine(err as Error, options), EXIT.badInput, `see ${help}`, "bad-input");
  }
}
