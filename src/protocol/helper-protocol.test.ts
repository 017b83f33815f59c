// helper-protocol.ts is generated from helpers/rssdrift_helper/protocol.json, the protocol's one
// source, which the helper reads itself: the two must not drift apart.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const GENERATOR = fileURLToPath(new URL("../../scripts/generate-protocol.mjs", import.meta.url));

describe("the generated protocol module", () => {
  it("is what protocol.json makes now (else: npm run protocol)", () => {
    const check = spawnSync(process.execPath, [GENERATOR, "--check"], { encoding: "utf8" });
    expect(check.stderr).toBe("");
    expect(check.status).toBe(0);
  });
});
