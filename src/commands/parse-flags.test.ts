// parseFlags: node:util parseArgs' errors as one line of ours, with "did you mean".
import { describe, expect, it } from "vitest";
import { EXIT, type RssdriftError } from "../errors.js";
import { nearestFlag, nearMiss, parseFlags } from "./parse-flags.js";

const options = {
  json: { type: "boolean" },
  markdown: { type: "boolean" },
  host: { type: "string" },
  interval: { type: "string" },
  identity: { type: "string", short: "i" },
} as const;

function errorOf(argv: string[]): RssdriftError {
  try {
    parseFlags(argv, options, "`rssdrift x --help`");
  } catch (err) {
    return err as RssdriftError;
  }
  throw new Error(`${argv.join(" ")} parsed`);
}

describe("parseFlags", () => {
  it.each([
    [["-v"], "unknown option -v"],
    [["1", "--jsno"], "unknown option --jsno (did you mean --json?)"],
    [["--mark"], "unknown option --mark (did you mean --markdown?)"],
    [["--hots", "a"], "unknown option --hots (did you mean --host?)"],
    [["--frobnicate"], "unknown option --frobnicate"],
    [["--\u001b[2Jx"], 'unknown option "--\\u001b[2Jx"'],
    [["--interval"], "--interval needs a value"],
    [["--json=1"], "--json takes no value"],
    [["-i", "-x"], '-i needs a value (one that starts with "-" is written --identity=-VALUE)'],
  ])("%j → %s", (argv, line) => {
    const error = errorOf(argv);
    expect(error.message).toBe(line);
    expect(error.exitCode).toBe(EXIT.badInput);
    expect(error.hint).toBe("see `rssdrift x --help`");
  });

  it("suggests only near misses", () => {
    expect(nearestFlag("--jsn", options)).toBe("--json");
    expect(nearestFlag("--xyz", options)).toBeUndefined();
    expect(nearestFlag("-j", options)).toBeUndefined();
  });
});

describe("nearMiss", () => {
  const commands = ["report", "watch", "replay", "bound", "fleet", "doctor"];

  it("counts a swap of two neighbours as one edit", () => {
    expect(nearMiss("wacth", commands)).toBe("watch");
    expect(nearMiss("dcotor", commands)).toBe("doctor");
  });

  it("takes the start of exactly one word, and suggests nothing for the start of two or a far miss", () => {
    expect(nearMiss("doc", commands)).toBe("doctor");
    expect(nearMiss("re", commands)).toBeUndefined();
    expect(nearMiss("abc", commands)).toBeUndefined();
  });
});
