// The many-CPU recordings the live view is tested on: the real 16-vCPU one from the lab, and the
// two SYNTHETIC ones, which must say so, pass the helper-line schema, and be exactly what their
// generator writes today.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { HelloLine, HelperLine } from "../../src/schema/helper-line.js";
import { parseHelperLine } from "../../src/schema/validate-line.js";

const FIXTURES = new URL("../fixtures/", import.meta.url).pathname;
const read = (name: string): HelperLine[] =>
  readFileSync(join(FIXTURES, name), "utf8")
    .trim()
    .split("\n")
    .map((line) => parseHelperLine(line));
const helloOf = (lines: HelperLine[]) => lines.find((line): line is HelloLine => line.type === "hello")!;

const scratch = mkdtempSync(join(tmpdir(), "rssdrift-synthetic-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("recordings for many CPUs", () => {
  it("lab-6.12-16cpu.jsonl is a 16-CPU drgn recording of step-target, every line schema-valid", () => {
    const lines = read("lab-6.12-16cpu.jsonl");
    const hello = helloOf(lines);
    expect(hello.cpus.online).toHaveLength(16);
    expect(hello).toMatchObject({ backend: "drgn", era: "percpu", batch: 32, target: { comm: "step-target" } });
    expect(hello.kernel).not.toMatch(/SYNTHETIC/);
    expect(lines.filter((line) => line.type === "sample")).toHaveLength(60);
  });

  for (const cpus of [128, 256]) {
    it(`synthetic-${cpus}cpu.jsonl says it is synthetic, passes the schema and follows the percpu rules`, () => {
      const lines = read(`synthetic-${cpus}cpu.jsonl`);
      expect(lines[0]).toMatchObject({ type: "progress", message: expect.stringMatching(/^SYNTHETIC recording/) });
      const hello = helloOf(lines);
      expect(hello.kernel).toMatch(/-SYNTHETIC$/);
      expect(hello.target.comm).toBe("synthetic");
      expect(hello.cpus.online).toHaveLength(cpus);
      expect(hello.batch).toBe(2 * cpus);
      for (const sample of lines.filter((line) => line.type === "sample")) {
        for (const counter of Object.values(sample.counters!)) {
          expect(counter.residue).toHaveLength(cpus);
          for (const slot of counter.residue) expect(Math.abs(slot.pages)).toBeLessThan(hello.batch!);
          expect(counter.exact).toBe(counter.count + counter.residue.reduce((sum, slot) => sum + slot.pages, 0));
        }
      }
    });
  }

  it("the generator writes the synthetic files as shipped", () => {
    execFileSync(process.execPath, [join(FIXTURES, "make-synthetic.mjs"), scratch], { stdio: "ignore" });
    for (const name of ["synthetic-128cpu.jsonl", "synthetic-256cpu.jsonl"]) {
      expect(readFileSync(join(scratch, name), "utf8"), name).toBe(readFileSync(join(FIXTURES, name), "utf8"));
    }
  });
});
