// The one output policy: colour from --no-color, NO_COLOR, FORCE_COLOR and the terminal; width
// from the terminal.
import { describe, expect, it } from "vitest";
import { decideOutput } from "./output-policy.js";

const terminal = { isTTY: true, columns: 132 };
const pipe = {};

describe("decideOutput", () => {
  it("colours a terminal, not a pipe or a file", () => {
    expect(decideOutput(terminal, {}, false).color).toBe(true);
    expect(decideOutput(pipe, {}, false).color).toBe(false);
  });

  it("has no colour when NO_COLOR is set to anything but the empty string", () => {
    expect(decideOutput(terminal, { NO_COLOR: "1" }, false).color).toBe(false);
    expect(decideOutput(terminal, { NO_COLOR: "" }, false).color).toBe(true);
  });

  it("has no colour with --no-color, whatever the environment says", () => {
    expect(decideOutput(terminal, {}, true).color).toBe(false);
    expect(decideOutput(terminal, { FORCE_COLOR: "1" }, true).color).toBe(false);
  });

  it("colours a pipe with FORCE_COLOR, unless it is 0 or false, or NO_COLOR is set too", () => {
    expect(decideOutput(pipe, { FORCE_COLOR: "1" }, false).color).toBe(true);
    expect(decideOutput(pipe, { FORCE_COLOR: "" }, false).color).toBe(false);
    expect(decideOutput(terminal, { FORCE_COLOR: "0" }, false).color).toBe(false);
    expect(decideOutput(terminal, { FORCE_COLOR: "false" }, false).color).toBe(false);
    expect(decideOutput(pipe, { FORCE_COLOR: "1", NO_COLOR: "1" }, false).color).toBe(false);
  });

  it("gives the terminal's width, and none for a pipe", () => {
    expect(decideOutput(terminal, {}, false).width).toBe(132);
    expect(decideOutput({ columns: 132 }, {}, false).width).toBeUndefined();
  });
});
