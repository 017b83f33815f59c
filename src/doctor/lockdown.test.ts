import { describe, expect, it } from "vitest";
import { lockdownBlocksKcore, parseLockdown } from "./lockdown.js";

describe("parseLockdown", () => {
  it("finds the bracketed, active mode", () => {
    expect(parseLockdown("[none] integrity confidentiality\n")).toBe("none");
    expect(parseLockdown("none [integrity] confidentiality\n")).toBe("integrity");
    expect(parseLockdown("none integrity [confidentiality]\n")).toBe("confidentiality");
  });

  it("says null for text without an active mode", () => {
    expect(parseLockdown("")).toBeNull();
    expect(parseLockdown("none integrity confidentiality")).toBeNull();
  });
});

describe("lockdownBlocksKcore", () => {
  // security.h orders the reasons: ... LOCKDOWN_INTEGRITY_MAX, LOCKDOWN_KCORE, ... LOCKDOWN_CONFIDENTIALITY_MAX,
  // and a reason is denied when the active level is >= it: so only confidentiality covers KCORE.
  it("blocks /proc/kcore only under confidentiality", () => {
    expect(lockdownBlocksKcore("none")).toBe(false);
    expect(lockdownBlocksKcore("integrity")).toBe(false);
    expect(lockdownBlocksKcore("confidentiality")).toBe(true);
  });
});
