// The argv layer, for every command alike: `help COMMAND` and `COMMAND --help`, a near-miss flag
// or command name with "did you mean", an extra word refused, --no-color accepted and obeyed.
// Run through runRssdrift as the CLI runs it, with pipes for stdout and stderr.
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { EXIT, RssdriftError } from "../errors.js";
import { commonFlags } from "./command.js";
import type { ProcessContext } from "./context.js";
import { commandNames, loadCommand, runRssdrift, usage } from "./dispatch.js";

const RECORDING = new URL("../../test/fixtures/lab-6.12-4cpu.jsonl", import.meta.url).pathname;

function pipes(env: NodeJS.ProcessEnv = {}) {
  const stdout = new PassThrough();
  let out = "";
  stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  const io: ProcessContext = { stdin: new PassThrough(), stdout, stderr: new PassThrough(), env, signal: new AbortController().signal };
  return { io, out: () => out };
}

async function run(argv: string[], env?: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  const { io, out } = pipes(env);
  const code = await runRssdrift(argv, io);
  return { code, out: out() };
}

/** the one-line bad-input error `rssdrift ARGV` ends in */
async function refusal(argv: string[]): Promise<RssdriftError> {
  const error = await run(argv).catch((err: unknown) => err);
  expect(error, `rssdrift ${argv.join(" ")} was not refused`).toBeInstanceOf(RssdriftError);
  expect((error as RssdriftError).exitCode).toBe(EXIT.badInput);
  expect((error as RssdriftError).message).not.toContain("\n");
  return error as RssdriftError;
}

/** per command: the words before its flags, a near miss of one of its own flags, and that flag */
const cases: Record<string, { words: string[]; typo: string; flag: string }> = {
  report: { words: ["report", "1"], typo: "--jsno", flag: "--json" },
  watch: { words: ["watch", "1"], typo: "--recrod", flag: "--record" },
  replay: { words: ["replay", RECORDING], typo: "--sped", flag: "--speed" },
  bound: { words: ["bound"], typo: "--cpu", flag: "--cpus" },
  fleet: { words: ["fleet", "1", "--host", "a", "--host", "b"], typo: "--paralel", flag: "--parallel" },
  doctor: { words: ["doctor"], typo: "--hots", flag: "--host" },
};

describe("every command", () => {
  it("is one the table covers", () => {
    expect(Object.keys(cases).sort()).toEqual([...commandNames].sort());
  });

  describe.each(commandNames)("%s", (name) => {
    const { words, typo, flag } = cases[name]!;

    it("shows the same help for `help NAME` and `NAME --help` (and -h), exit 0", async () => {
      const help = await run(["help", name]);
      expect(help.code).toBe(EXIT.ok);
      expect(help.out).toMatch(/^Usage: rssdrift /);
      expect(await run([name, "--help"])).toEqual(help);
      expect(await run([name, "-h"])).toEqual(help);
      // help wins over whatever else the line holds
      expect(await run([...words, "--bogus", "--help"])).toEqual(help);
    });

    it("teaches in its help: every flag, an example, the exit codes", async () => {
      const { out } = await run(["help", name]);
      const command = await loadCommand(name);
      for (const flag of Object.keys({ ...command.flags, ...commonFlags })) expect(out, `--${flag}`).toContain(`--${flag}`);
      expect(out).toMatch(/^Examples?:$/m);
      expect(out).toMatch(/^Exit (codes|status):/m);
    });

    it("refuses a near-miss flag in one line with a did-you-mean", async () => {
      const error = await refusal([...words, typo]);
      expect(error.message).toBe(`unknown option ${typo} (did you mean ${flag}?)`);
      expect(error.hint).toBe(`see \`rssdrift ${name} --help\``);
      expect((await refusal([...words, "--no-colr"])).message).toBe("unknown option --no-colr (did you mean --no-color?)");
    });

    it("refuses an extra word", async () => {
      expect((await refusal([...words, "extra"])).message).toMatch(/^unexpected argument extra: /);
    });

    it("accepts --no-color: the command itself answers, not the argv layer", async () => {
      // each line fails at the command's own first check, after --no-color has been parsed
      const own: Record<string, [string[], RegExp]> = {
        report: [["report", "--no-color", "abc"], /^not a pid/],
        watch: [["watch", "--no-color", "abc"], /^not a pid/],
        replay: [["replay", "--no-color"], /^which recording\?/],
        bound: [["bound", "--no-color", "--cpus", "x"], /^--cpus takes/],
        fleet: [["fleet", "--no-color", "--host", "a"], /^which process\?/],
        doctor: [["doctor", "--no-color", "--sudo-prompt"], /^--sudo-prompt is for --host/],
      };
      const [argv, line] = own[name]!;
      expect((await refusal(argv)).message).toMatch(line);
    });
  });
});

describe("--no-color and the output policy", () => {
  it("colours with FORCE_COLOR=1 and not with --no-color too", async () => {
    expect((await run(["bound", "--cpus", "8"], { FORCE_COLOR: "1" })).out).toContain("\u001b[");
    const plain = await run(["bound", "--cpus", "8", "--no-color"], { FORCE_COLOR: "1" });
    expect(plain.code).toBe(EXIT.ok);
    expect(plain.out).not.toContain("\u001b[");
  });
});

describe("command names", () => {
  it("suggests the command a mistyped name is near", async () => {
    const error = await refusal(["wacth", "12"]);
    expect(error.message).toBe("unknown command wacth (did you mean watch?)");
    expect((await refusal(["help", "dcotor"])).message).toBe("unknown command dcotor (did you mean doctor?)");
  });

  it("names the commands for a help word that is none", async () => {
    expect((await refusal(["help", "bogus"])).message).toBe(`unknown command bogus: the commands are ${commandNames.join(", ")}`);
  });

  it("leaves any other word to the report, as a pid", async () => {
    expect((await refusal(["abc"])).message).toMatch(/^not a pid: "abc"/);
  });

  it("reads a second pid as an extra word, not ignored", async () => {
    expect((await refusal(["1234", "5678"])).message).toBe("unexpected argument 5678: a report reads one pid, not 2");
  });

  it("shows the overview for `help` and --help (exit 0), and for nothing at all (exit 2)", async () => {
    expect(await run(["help"])).toEqual({ code: EXIT.ok, out: `${usage}\n` });
    expect(await run(["--help"])).toEqual({ code: EXIT.ok, out: `${usage}\n` });
    expect(await run([])).toEqual({ code: EXIT.badInput, out: `${usage}\n` });
  });

  it("takes a pid with several hosts as fleet mode, with or without the word report", async () => {
    const fleetHelp = (await run(["help", "fleet"])).out;
    expect((await run(["1", "--host", "a", "--host", "b", "--help"])).out).toBe(fleetHelp);
    expect((await run(["report", "1", "--hosts-file", "f", "--help"])).out).toBe(fleetHelp);
    expect((await refusal(["1", "--host", "a", "--host", "b", "--bogus"])).hint).toBe("see `rssdrift fleet --help`");
  });
});
