import { describe, expect, it } from "vitest";
import { atLeast, bannerDebuginfod, compareRelease, parseDrgnVersion } from "./drgn-version.js";

describe("parseDrgnVersion", () => {
  it("reads the release numbers of the versions drgn prints", () => {
    expect(parseDrgnVersion("0.0.31\n")).toEqual({ text: "0.0.31", release: [0, 0, 31] });
    expect(parseDrgnVersion("0.0.22+unknown")?.release).toEqual([0, 0, 22]);
    expect(parseDrgnVersion("0.0.27.dev45+g1a2b3c4")?.release).toEqual([0, 0, 27]);
    expect(parseDrgnVersion("0.1.0")?.release).toEqual([0, 1, 0]);
  });

  it("takes the last line (a warning may come first) and refuses text without a version", () => {
    expect(parseDrgnVersion("some warning\n0.0.25\n")?.text).toBe("0.0.25");
    expect(parseDrgnVersion("unknown")).toBeNull();
    expect(parseDrgnVersion("")).toBeNull();
  });
});

describe("compareRelease / atLeast", () => {
  it("compares numerically, not as text", () => {
    expect(compareRelease([0, 0, 9], [0, 0, 22])).toBeLessThan(0);
    expect(compareRelease([0, 1], [0, 0, 33])).toBeGreaterThan(0);
    expect(compareRelease([0, 0, 31], [0, 0, 31, 0])).toBe(0);
    expect(atLeast(parseDrgnVersion("0.0.31")!, [0, 0, 31])).toBe(true);
    expect(atLeast(parseDrgnVersion("0.0.22")!, [0, 0, 31])).toBe(false);
  });
});

describe("bannerDebuginfod", () => {
  it("reads with/without debuginfod from `drgn --version`", () => {
    expect(bannerDebuginfod("drgn 0.0.31 (using Python 3.13.2, elfutils 0.192, with debuginfod (dlopen), with libkdumpfile)")).toBe(true);
    expect(bannerDebuginfod("drgn 0.0.31 (using Python 3.13.2, elfutils 0.192, without debuginfod, with libkdumpfile)")).toBe(false);
    expect(bannerDebuginfod("drgn 0.0.22 (using Python 3.11.2, elfutils 0.188, with libkdumpfile)")).toBeNull();
  });
});
