import { describe, expect, it } from "vitest";
import { EXIT } from "../errors.js";
import { DEFAULT_FIRST_SAMPLE_TIMEOUT_S, firstSampleDeadlineMs } from "./deadline-option.js";

describe("--timeout / RSSDRIFT_TIMEOUT", () => {
  it("takes the flag over the environment over the default", () => {
    expect(firstSampleDeadlineMs("2.5", { RSSDRIFT_TIMEOUT: "9" })).toBe(2500);
    expect(firstSampleDeadlineMs(undefined, { RSSDRIFT_TIMEOUT: "9" })).toBe(9000);
    expect(firstSampleDeadlineMs(undefined, {})).toBe(DEFAULT_FIRST_SAMPLE_TIMEOUT_S * 1000);
  });

  it.each(["0", "-1", "1e3", "0x10", " 5", "abc", "100000", ""])("refuses %j as bad input", (text) => {
    expect(() => firstSampleDeadlineMs(text, {})).toThrow(expect.objectContaining({ exitCode: EXIT.badInput }));
  });
});
