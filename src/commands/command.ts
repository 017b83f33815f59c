// The one argv layer every command goes through. A command declares its name, its help, its own
// flags and how many operands (a pid, a file) it takes; this layer adds the flags every command
// has (--help/-h, --no-color), parses strictly (one line and exit 2 for a bad flag, with "did you
// mean"), shows the help, refuses extra words, and decides the output policy (colour, width) once
// before the command runs. A command never parses argv or decides colour itself.
import { EXIT } from "../errors.js";
import { decideOutput } from "../output/output-policy.js";
import { wrap } from "../report/layout.js";
import type { CommandContext, ProcessContext } from "./context.js";
import { badInput, parseFlags, shownWord, type Flags, type Parsed } from "./parse-flags.js";

/** the flags of every command, added to its own */
export const commonFlags = {
  help: { type: "boolean", short: "h", default: false },
  "no-color": { type: "boolean", default: false },
} as const;

/** their help, for each command's help text to list beside its own flags, described from `column` on, in 80 columns */
export function commonFlagsHelp(column: number): string {
  const row = (flag: string, text: string) => {
    const [first, ...more] = wrap(text, 80, " ".repeat(column));
    return [`  ${flag.padEnd(column - 2)}${first!.trimStart()}`, ...more].join("\n");
  };
  return [
    row("--no-color", "no colours (NO_COLOR=1 does the same); without it, colours only on a terminal or with FORCE_COLOR=1"),
    row("-h, --help", "this help"),
  ].join("\n");
}

export type CommandValues<F extends Flags> = Parsed<F & typeof commonFlags>["values"];

export interface Command<F extends Flags = Flags> {
  /** the word after `rssdrift` that names it: "watch"; the default command is "report" */
  name: string;
  /** what --help prints: what the command does, every flag, an example, the exit codes */
  help: string;
  /** the command's own flags (commonFlags are added) */
  flags: F;
  /** the words besides flags it takes, at most `max` (none when omitted); `what` says how many, for the error */
  operands?: { max: number; what: string; hint?: string };
  run(args: { values: CommandValues<F>; operands: string[]; argv: string[] }, ctx: CommandContext): Promise<number>;
}

/** A command, typed from its flags (so `values` in its run knows them). */
export function defineCommand<F extends Flags>(command: Command<F>): Command<F> {
  return command;
}

/** `rssdrift NAME --help`, for error lines to point at */
export function helpPointer(command: Pick<Command, "name">): string {
  return `\`rssdrift ${command.name} --help\``;
}

/** --help or -h as a word of argv (before a `--`, after which words are operands) */
function asksForHelp(argv: string[]): boolean {
  const end = argv.indexOf("--");
  return (end === -1 ? argv : argv.slice(0, end)).some((word) => word === "--help" || word === "-h");
}

/** Parses argv for `command`, then runs it with the output policy; the help when asked for. */
export async function runCommandLine<F extends Flags>(command: Command<F>, argv: string[], io: ProcessContext): Promise<number> {
  const options = { ...command.flags, ...commonFlags } as F & typeof commonFlags;
  let parsed: Parsed<F & typeof commonFlags>;
  try {
    parsed = parseFlags(argv, options, helpPointer(command));
  } catch (error) {
    // asked for help: the help, whatever else the line holds
    if (!asksForHelp(argv)) throw error;
    parsed = { values: { help: true }, positionals: [] } as unknown as Parsed<F & typeof commonFlags>;
  }
  const values = parsed.values as CommandValues<F> & { help: boolean; "no-color": boolean };
  if (values.help) {
    io.stdout.write(`${command.help}\n`);
    return EXIT.ok;
  }
  const operands = parsed.positionals;
  const max = command.operands?.max ?? 0;
  if (operands.length > max) {
    const extra = shownWord(operands[max]!);
    if (max === 0)
      throw badInput(`unexpected argument ${extra}: \`rssdrift ${command.name}\` takes only flags`, `see ${helpPointer(command)}`);
    throw badInput(
      `unexpected argument ${extra}: ${command.operands!.what}, not ${operands.length}`,
      command.operands!.hint ?? `see ${helpPointer(command)}`,
    );
  }
  const output = decideOutput(io.stdout, io.env, values["no-color"]);
  return command.run({ values, operands, argv }, { ...io, output });
}
