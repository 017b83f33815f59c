import { describe, expect, it } from "vitest";
import { sameContent } from "./same-content.js";

describe("sameContent", () => {
  it("compares plain data by value, however deep", () => {
    const props = () => ({
      cells: [
        { text: "anon", width: 6, bold: true },
        { text: "+27", width: 8, color: "magenta" },
      ],
      height: 3,
    });
    expect(sameContent(props(), props())).toBe(true);
    expect(sameContent({ a: [1, [2, { b: "x" }]] }, { a: [1, [2, { b: "y" }]] })).toBe(false);
    expect(sameContent(Number.NaN, Number.NaN)).toBe(true);
  });
  it("tells apart a missing field, an undefined one, another length and another kind", () => {
    expect(sameContent({ color: undefined }, {})).toBe(false);
    expect(sameContent({ a: 1 }, { b: 1 })).toBe(false);
    expect(sameContent([1, 2], [1, 2, 3])).toBe(false);
    expect(sameContent([], {})).toBe(false);
    expect(sameContent({}, [])).toBe(false);
    expect(sameContent(null, {})).toBe(false);
    expect(sameContent("1", 1)).toBe(false);
  });
  it("compares other objects by identity", () => {
    const at = new Date(0);
    expect(sameContent({ at }, { at })).toBe(true);
    expect(sameContent({ at }, { at: new Date(0) })).toBe(false);
    const f = () => 1;
    expect(sameContent({ f }, { f: () => 1 })).toBe(false);
  });
});
