// One strict parser of whole numbers for pids and --interval alike.
import { describe, expect, it } from "vitest";
import { parseMilliseconds, parsePid, wholeNumber } from "./target-options.js";

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
