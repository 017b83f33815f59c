import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { BOOTSTRAP, helperArgv } from "../sources/helper-launch.js";
import { quoteShellWord, shellCommandLine } from "./ssh-quote.js";

/** What a real POSIX shell makes of the command line: each word on its own, NUL-separated. */
function wordsAfterShell(commandLine: string): string[] {
  const out = execFileSync("sh", ["-c", commandLine], { encoding: "utf8", env: {} });
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

  it.each(awkward.map((word) => [JSON.stringify(word), word]))("round-trips %s through sh", (_label, word) => {
    expect(wordsAfterShell(shellCommandLine([...printWords, word]))).toEqual([word]);
  });

  it("round-trips the multi-line BOOTSTRAP and the whole helper argv through sh", () => {
    const argv = helperArgv({ pid: 1234, intervalMs: 500, count: 3, smaps: true, sudo: true });
    expect(argv).toContain(BOOTSTRAP);
    expect(BOOTSTRAP).toContain("\n");
    expect(wordsAfterShell(shellCommandLine([...printWords, ...argv]))).toEqual(argv);
  });

  it("round-trips many awkward words at once, keeping their boundaries", () => {
    expect(wordsAfterShell(shellCommandLine([...printWords, ...awkward]))).toEqual(awkward);
  });
});

describe("shellCommandLine", () => {
  it("refuses an empty argv", () => {
    expect(() => shellCommandLine([])).toThrow(/empty/);
  });
});
