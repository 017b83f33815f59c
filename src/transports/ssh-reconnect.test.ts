import { describe, expect, it } from "vitest";
import { DEFAULT_RECONNECT_POLICY, reconnectDelayMs } from "./ssh-reconnect.js";

describe("reconnectDelayMs", () => {
  it("starts at 0.5 s and doubles up to 8 s", () => {
    expect([1, 2, 3, 4, 5, 6, 20].map((attempt) => reconnectDelayMs(attempt, DEFAULT_RECONNECT_POLICY))).toEqual([
      500, 1000, 2000, 4000, 8000, 8000, 8000,
    ]);
  });
});
