// One strict parser of whole numbers for pids and --interval alike; the interpreter and vmlinux
// flags the helper gets on the target.
import { describe, expect, it } from "vitest";
import { wholeNumber } from "./parse-flags.js";
import { parseMilliseconds, parsePid, parsePython, parseVmlinux } from "./target-options.js";
import { EXIT, RssdriftError } from "../errors.js";

describe("wholeNumber", () => {
  it.each(["1e3", "0x64", " 100 ", "100 ", "+100", "-1", "1.0", "0100", "", "１００", "99999999999999999999"])("refuses %j", (text) => {
    expect(wholeNumber(text, 0, Number.MAX_SAFE_INTEGER)).toBeNull();
  });

  it("takes plain decimal digits within the range", () => {
    expect(wholeNumber("100", 50, 3_600_000)).toBe(100);
    expect(wholeNumber("0", 0, 1)).toBe(0);
    expect(wholeNumber("49", 50, 3_600_000)).toBeNull();
  });

  it("is the parser of pids and of --interval alike", () => {
    for (const text of ["1e3", "0x64", " 100 "]) {
      expect(() => parsePid(text)).toThrow(/not a pid/);
      expect(() => parseMilliseconds(text, "--interval")).toThrow(/--interval takes whole milliseconds/);
    }
    expect(parsePid("100")).toBe(100);
    expect(parseMilliseconds("100", "--interval")).toBe(100);
  });
});

describe("--python and RSSDRIFT_PYTHON", () => {
  it("--python wins over RSSDRIFT_PYTHON; neither means the default", () => {
    expect(parsePython("/usr/bin/python3", { RSSDRIFT_PYTHON: "python3.12" })).toBe("/usr/bin/python3");
    expect(parsePython(undefined, { RSSDRIFT_PYTHON: "python3.12" })).toBe("python3.12");
    expect(parsePython(undefined, { RSSDRIFT_PYTHON: "" })).toBeUndefined();
    expect(parsePython(undefined, {})).toBeUndefined();
  });

  it("a bad value is bad input that names where it came from", () => {
    const fromEnv = (() => {
      try {
        parsePython(undefined, { RSSDRIFT_PYTHON: "python3; rm -rf /" });
      } catch (error) {
        return error;
      }
    })() as RssdriftError;
    expect(fromEnv).toBeInstanceOf(RssdriftError);
    expect(fromEnv.exitCode).toBe(EXIT.badInput);
    expect(fromEnv.message).toMatch(/^RSSDRIFT_PYTHON takes an absolute path or a command name/);
    expect(() => parsePython("./py")).toThrow(/^--python takes/);
  });
});

describe("--vmlinux", () => {
  it("takes an absolute path, nothing with control characters", () => {
    expect(parseVmlinux("/usr/lib/debug/boot/vmlinux-6.1.0-50-amd64")).toBe("/usr/lib/debug/boot/vmlinux-6.1.0-50-amd64");
    expect(parseVmlinux(undefined)).toBeUndefined();
    for (const bad of ["vmlinux", "", "-s", "/a\nb", "/a\u001b[2J"])
      expect(() => parseVmlinux(bad)).toThrow(/--vmlinux takes an absolute path/);
  });
});
