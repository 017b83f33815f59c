import { describe, expect, it } from "vitest";
import { allocationReading } from "./allocation.js";
import { boundFor } from "./bound.js";

describe("allocationReading", () => {
  it("on 8 CPUs a 1 MiB allocation can read 248 pages short", () => {
    // docs/how-rss-is-counted.md: 8 CPUs → ≤ 248 pages per counter; 1 MiB = 256 pages of 4 KiB
    const reading = allocationReading(1024 * 1024, boundFor({ era: "percpu", cpus: 8, pageSize: 4096 }), 4096);
    expect(reading).toMatchObject({ allocPages: 256, boundPages: 248, lowPages: 8, highPages: 504, canReadZero: false });
    expect(reading.lowBytes).toBe(32 * 1024);
  });

  it("on 128 CPUs it can read 0", () => {
    const reading = allocationReading(1024 * 1024, boundFor({ era: "percpu", cpus: 128, pageSize: 4096 }), 4096);
    expect(reading).toMatchObject({ lowPages: 0, canReadZero: true, highPages: 256 + 32640 });
  });

  it("counts whole pages and, in split-rss, the anon bound of 64 faults × threads", () => {
    const reading = allocationReading(5000, boundFor({ era: "split-rss", cpus: 4, threads: 2, pageSize: 4096 }), 4096);
    // 5000 bytes touch 2 pages; 64 × 2 = 128 pages of anon bound
    expect(reading).toMatchObject({ allocPages: 2, boundPages: 128, canReadZero: true });
  });
});
