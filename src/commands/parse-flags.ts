// argv parsing for every command: node:util parseArgs, with its errors (some three lines long,
// some naming `--` tricks) turned into one line of ours, with "did you mean" for a near miss.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { EXIT, RssdriftError } from "../errors.js";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** a word from argv as it may be shown: bare when printable ASCII, else JSON-quoted */
export function shownWord(word: string): string {
  return /^[\x21-\x7e]+$/.test(word) ? word : JSON.stringify(word);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** the known flag nearest to an unknown one, if it is a near miss (a typo or a prefix) */
export function nearestFlag(unknown: string, options: Options): string | undefined {
  const given = unknown.replace(/=.*$/, "");
  if (!given.startsWith("--") || given.length < 4) return undefined;
  const known = Object.keys(options).map((name) => `--${name}`);
  const prefixed = known.filter((flag) => flag.startsWith(given));
  if (prefixed.length === 1) return prefixed[0];
  const scored = known
    .map((flag) => ({ flag, distance: editDistance(given, flag) }))
    .filter(({ distance }) => distance <= (given.length >= 6 ? 2 : 1))
    .sort((a, b) => a.distance - b.distance);
  return scored[0]?.flag;
}

/** parseArgs' error as one line of ours */
function oneLine(err: Error & { code?: string }, options: Options): string {
  const quoted = /'([^']*)'/.exec(err.message)?.[1] ?? "";
  switch (err.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION": {
      const near = nearestFlag(quoted, options);
      return `unknown option ${shownWord(quoted)}${near ? ` (did you mean ${near}?)` : ""}`;
    }
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `unexpected argument ${shownWord(quoted)}: this command takes none`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE": {
      const flag = quoted.replace(/ <value>$/, "").split(", ").pop()!;
      if (/does not take an argument/.test(err.message)) return `${flag} takes no value`;
      const long = /'(--[\w-]+)=-XYZ'/.exec(err.message)?.[1] ?? flag;
      if (/ambiguous/.test(err.message)) return `${flag} needs a value (one that starts with "-" is written ${long}=-VALUE)`;
      return `${flag} needs a value`;
    }
    default:
      return err.message.split("\n")[0] ?? "bad arguments";
  }
}

type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: boolean; strict: true }>>;

/** parseArgs, strict; a bad argv is one line of bad input (exit 2) that points at `help` */
export function parseFlags<O extends Options>(argv: string[], options: O, help: string, allowPositionals = true): Parsed<O> {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (err) {
    throw new RssdriftError(oneLine(err as Error, options), EXIT.badInput, `see ${help}`, "bad-input");
  }
}
