import { describe, expect, it } from "vitest";
import { printable, printableJson, printableStrings } from "./printable.js";

/** any character a terminal acts on, besides the backslash printable() adds itself */
const RAW_CONTROL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

describe("printable", () => {
  it("shows an OSC title sequence as text instead of sending it", () => {
    expect(printable("\u001b]0;PWNED\u0007")).toBe("\\e]0;PWNED\\x07");
  });

  it("escapes every kind of character a terminal acts on", () => {
    const cases: [string, string][] = [
      ["a\nb", "a\\nb"],
      ["a\rb", "a\\rb"],
      ["a\tb", "a\\tb"],
      ["\u0000", "\\x00"],
      ["\u007f", "\\x7f"], // DEL
      ["\u009b2J", "\\x9b2J"], // C1 CSI: clears the screen where 8-bit controls are honoured
      ["\u0085", "\\x85"], // NEL
      ["abc\u202edcba", "abc\\u202edcba"], // right-to-left override
      ["\u2066x\u2069", "\\u2066x\\u2069"], // isolates
      ["\u200b\u200f\u00ad\ufeff", "\\u200b\\u200f\\xad\\ufeff"], // zero width, RLM, soft hyphen, BOM
      ["a\u2028b\u2029", "a\\u2028b\\u2029"], // line and paragraph separators
      ["\ud800", "\\ud800"], // a lone surrogate
      ["\u{e0041}", "\\u{e0041}"], // a tag character
    ];
    for (const [raw, shown] of cases) expect(printable(raw), JSON.stringify(raw)).toBe(shown);
  });

  it("leaves printable text alone, non-ASCII included", () => {
    for (const text of ["python3", "6.12.107+deb13-cloud-amd64", "a b|c`d<e>", "café ≈ · − ×", "名前", "🦀"]) {
      expect(printable(text)).toBe(text);
    }
  });

  it("escapes the backslash, so a name that spells an escape differs from one that holds it", () => {
    expect(printable("\\e")).toBe("\\\\e");
    expect(printable("\u001b")).toBe("\\e");
    expect(printable("\\e")).not.toBe(printable("\u001b"));
  });

  it("leaves no raw control in any of the first 0x3000 code points", () => {
    const all = Array.from({ length: 0x3000 }, (_, code) => String.fromCodePoint(code)).join("");
    expect(RAW_CONTROL.test(printable(all))).toBe(false);
  });
});

describe("printableStrings", () => {
  it("makes every string in nested data printable and keeps the rest", () => {
    const data = { target: { pid: 7, comm: "\u001b[2Jx" }, kernel: "6.1", cpus: [0, 1], list: ["ok", "\u0007"], none: null };
    expect(printableStrings(data)).toEqual({
      target: { pid: 7, comm: "\\e[2Jx" },
      kernel: "6.1",
      cpus: [0, 1],
      list: ["ok", "\\x07"],
      none: null,
    });
  });

  it("does not touch the original and shares what did not change", () => {
    const data = { hello: { comm: "\u0007", kernel: "6.1" }, sample: { counters: { file: [1, 2] } } };
    const shown = printableStrings(data);
    expect(data.hello.comm).toBe("\u0007");
    expect(shown.sample).toBe(data.sample);
    expect(shown.hello).not.toBe(data.hello);
    const clean = { a: "x", b: [1, "y"] };
    expect(printableStrings(clean)).toBe(clean);
  });
});

describe("printableJson", () => {
  const hostile = { comm: "\u001b]0;x\u0007\u007f\u009b2J\u202e\u2028\u{e0041}", n: 1, list: ["é ≈ 名"] };

  it("writes what JSON.stringify leaves raw (DEL, C1, bidi, separators, tags) as \\u escapes", () => {
    const text = printableJson(hostile);
    expect(RAW_CONTROL.test(text)).toBe(false);
    expect(text).toBe('{"comm":"\\u001b]0;x\\u0007\\u007f\\u009b2J\\u202e\\u2028\\udb40\\udc41","n":1,"list":["é ≈ 名"]}');
  });

  it("parses back to the exact value, indented or not", () => {
    expect(JSON.parse(printableJson(hostile))).toEqual(hostile);
    expect(JSON.parse(printableJson(hostile, 2))).toEqual(hostile);
    expect(printableJson({ a: [1] }, 2)).toBe(JSON.stringify({ a: [1] }, null, 2));
  });
});
