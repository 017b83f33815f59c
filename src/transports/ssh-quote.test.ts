// Quoting is checked by the shells themselves: each command line really runs under sh, bash,
// tcsh and csh (bsd-csh), the login shells sshd may hand it to with -c.
import { execFileSync, spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { BOOTSTRAP, helperArgv } from "../sources/helper-launch.js";
import { quoteShellWord, shellCommandLine } from "./ssh-quote.js";

const SHELLS = ["sh", "bash", "tcsh", "bsd-csh"];

/** What a real shell makes of the command line: each word on its own, NUL-separated. */
function wordsAfterShell(commandLine: string, shell = "sh"): string[] {
  const out = execFileSync(shell, ["-c", commandLine], {
    encoding: "utf8",
    env: { PATH: process.env.PATH },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return out.split("\0").slice(0, -1);
}

const printWords = ["printf", "%s\\0"];

describe("quoteShellWord", () => {
  it("wraps a plain word in single quotes", () => {
    expect(quoteShellWord("python3")).toBe("'python3'");
  });

  it("writes a single quote as '\\''", () => {
    expect(quoteShellWord("it's")).toBe("'it'\\''s'");
  });

  it("refuses a NUL byte, which no argv can carry", () => {
    expect(() => quoteShellWord("a\0b")).toThrow(/NUL/);
  });

  const awkward = [
    "",
    "two words",
    "it's",
    "'",
    "''",
    '"double"',
    "$HOME",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell expansion the quoting must neutralise
    "${PATH}",
    "$(id -u)",
    "`id`",
    "a\\b\\",
    "line one\nline two\n",
    "*",
    "~",
    "; rm -rf /tmp/nothing-here",
    "a|b&c>d<e",
    "!event",
    "tab\there",
    "é ünïcode ✓",
    "-n",
  ];

  it.each(SHELLS)("round-trips every awkward word through %s, one at a time", (shell) => {
    for (const word of awkward) expect(wordsAfterShell(shellCommandLine([...printWords, word]), shell)).toEqual([word]);
  });

  it.each(SHELLS)("round-trips many awkward words at once through %s, keeping their boundaries", (shell) => {
    expect(wordsAfterShell(shellCommandLine([...printWords, ...awkward]), shell)).toEqual(awkward);
  });

  it.each(SHELLS)("round-trips the whole helper argv (python3 -c BOOTSTRAP …) through %s", (shell) => {
    const argv = helperArgv({ pid: 1234, intervalMs: 500, count: 3, smaps: true, sudo: true });
    expect(argv).toContain(BOOTSTRAP);
    expect(wordsAfterShell(shellCommandLine([...printWords, ...argv]), shell)).toEqual(argv);
  });
});

describe("shellCommandLine", () => {
  /** every character from U+0001 to U+07FF, some beyond, and words csh cannot take in quotes */
  const everyCharacter = Array.from({ length: 0x7ff }, (_, i) => String.fromCodePoint(i + 1)).join("");
  const hard = [everyCharacter, "a!b", "!!", "!$", "\\!", "one\ntwo", "\n", "%s%d%%\\0\\012", "x".repeat(20_000), "😀 中 \u2028"];

  it.each(SHELLS)("round-trips every character, ! and newlines, printf escapes and a 20 000-character word through %s", (shell) => {
    expect(wordsAfterShell(shellCommandLine([...printWords, ...hard]), shell)).toEqual(hard);
  });

  it("keeps a command line csh can read as plain single-quoted words", () => {
    expect(shellCommandLine(["sleep", "1000"])).toBe("'sleep' '1000'");
    expect(shellCommandLine(["echo", "it's $HOME"])).toBe("'echo' 'it'\\''s $HOME'");
  });

  it("sends a newline, a ! or a long word through /bin/sh as one line with neither", () => {
    for (const word of ["a\nb", "a!b", "x".repeat(5000)]) {
      const line = shellCommandLine(["printf", word]);
      expect(line).toMatch(/^exec \/bin\/sh -c /);
      expect(line).not.toMatch(/[\n!]/);
      expect(line.split(" ").every((word) => word.length < 2000)).toBe(true);
    }
  });

  it.each(SHELLS)("execs the command under %s, so no shell stays between sshd and it", (shell) => {
    // a newline sends it through /bin/sh; the innermost sh reports its pid, which must be the login shell's
    const run = spawnSync(shell, ["-c", shellCommandLine(["sh", "-c", "echo $$\n"])], { encoding: "utf8" });
    expect(run.stdout.trim()).toBe(String(run.pid));
  });

  it("refuses an empty argv", () => {
    expect(() => shellCommandLine([])).toThrow(/empty/);
  });
});
