import { describe, expect, it } from "vitest";
import { formatBytes, formatPercent, formatSignedBytes, formatSignedPages } from "./quantities.js";

describe("formatBytes", () => {
  it("uses binary units and drops a trailing .0", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(32 * 4096)).toBe("128 KiB"); // the seed scenario's 32 parked pages
    expect(formatBytes(1024 ** 3)).toBe("1 GiB");
  });

  it("matches the worked numbers of docs/how-rss-is-counted.md", () => {
    expect(formatBytes(248 * 4096)).toBe("≈1 MiB"); // 8 CPUs: "≈ 1 MiB" (actually 0.97 MiB)
    expect(formatBytes(2016 * 4096)).toBe("≈7.9 MiB"); // 32 CPUs
    expect(formatBytes(32640 * 4096)).toBe("127.5 MiB"); // 128 CPUs: exact, so no "≈"
    expect(formatBytes(130816 * 4096)).toBe("511 MiB"); // 256 CPUs
  });

  it("marks a rounded value with ≈ and stays in the smaller unit below 0.95 of the next", () => {
    expect(formatBytes(1000)).toBe("≈1 KiB");
    expect(formatBytes(900 * 1024)).toBe("900 KiB");
    expect(formatBytes(1536 * 1024)).toBe("1.5 MiB");
  });

  it("signs drifts", () => {
    expect(formatSignedBytes(32 * 4096)).toBe("+128 KiB");
    expect(formatSignedBytes(-11 * 4096)).toBe("-44 KiB");
    expect(formatSignedBytes(0)).toBe("0 B");
    expect(formatSignedBytes(2090 * 4096)).toBe("≈+8.2 MiB");
    expect(formatBytes(-248 * 4096)).toBe("≈-1 MiB");
    expect(formatSignedPages(42)).toBe("+42");
    expect(formatSignedPages(-11)).toBe("-11");
  });

  it("rounds percentages and shows a missing bound as a dash", () => {
    expect(formatPercent(216 / 372)).toBe("58%");
    expect(formatPercent(null)).toBe("–");
  });
});
