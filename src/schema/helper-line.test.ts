// The wire format's bpf additions: what a bpf hello may and may not carry, and the new error codes.
import { describe, expect, it } from "vitest";
import { lab612Hello } from "../../test/fixtures/lab-samples.js";
import { EXIT, helperError } from "../errors.js";
import { parseHelperLine } from "./validate-line.js";

const bpfSetup = { per_cpu_offsets: "kallsyms", insns: 412, btf_ms: 61.5, load_ms: 2.25 };
const bpfHello = { ...lab612Hello, backend: "bpf", drgn: null, bpf: bpfSetup };
const parse = (line: unknown) => parseHelperLine(JSON.stringify(line));

describe("a bpf hello line", () => {
  it("validates with its bpf object and no drgn version", () => {
    expect(parse(bpfHello)).toEqual(bpfHello);
  });

  it("validates without the bpf object, which is optional", () => {
    const { bpf: _, ...bare } = bpfHello;
    expect(parse(bare)).toMatchObject({ backend: "bpf" });
  });

  it("takes each way of finding the per-CPU offsets, and no other", () => {
    for (const method of ["kallsyms", "runqueues", "none"]) {
      expect(parse({ ...bpfHello, bpf: { ...bpfSetup, per_cpu_offsets: method } })).toMatchObject({ bpf: { per_cpu_offsets: method } });
    }
    expect(() => parse({ ...bpfHello, bpf: { ...bpfSetup, per_cpu_offsets: "guessed" } })).toThrow(/\/bpf\/per_cpu_offsets/);
  });

  it("is refused with a drgn version: bpf does not use drgn", () => {
    expect(() => parse({ ...bpfHello, drgn: "0.0.31" })).toThrow(/\/drgn must be null/);
  });

  it("is refused with a field the contract does not have", () => {
    expect(() => parse({ ...bpfHello, bpf: { ...bpfSetup, jit: true } })).toThrow(/\/bpf has unexpected field "jit"/);
    expect(() => parse({ ...bpfHello, bpf: { ...bpfSetup, insns: 0 } })).toThrow(/\/bpf\/insns/);
  });
});

describe("the bpf object outside a bpf hello", () => {
  it("is refused in a drgn or procfs hello", () => {
    expect(() => parse({ ...lab612Hello, bpf: bpfSetup })).toThrow(/malformed line/);
    expect(() => parse({ ...lab612Hello, backend: "procfs", drgn: null, bpf: bpfSetup })).toThrow(/malformed line/);
    expect(parse(lab612Hello)).toEqual(lab612Hello);
  });
});

describe("the bpf error codes", () => {
  const exits = {
    "no-btf": EXIT.missingPrerequisite,
    "bpf-refused": EXIT.missingPrerequisite,
    "unsupported-arch": EXIT.missingPrerequisite,
    "self-check-failed": EXIT.helperFailure,
  } as const;

  it("are valid error lines, each with its exit status", () => {
    for (const [code, exit] of Object.entries(exits)) {
      const line = parse({ type: "error", code, message: `a ${code} failure` });
      expect(line).toMatchObject({ type: "error", code });
      expect(helperError(code as keyof typeof exits, "m").exitCode).toBe(exit);
    }
  });

  it("come with a fix when the helper gives none, and keep the helper's own when it does", () => {
    expect(helperError("no-btf", "m").hint).toMatch(/CONFIG_DEBUG_INFO_BTF.*--backend drgn/);
    expect(helperError("bpf-refused", "m").hint).toMatch(/CAP_BPF and CAP_PERFMON.*seccomp/);
    expect(helperError("unsupported-arch", "m").hint).toMatch(/--backend drgn/);
    expect(helperError("self-check-failed", "m").hint).toMatch(/no number was shown/);
    expect(helperError("bpf-refused", "m", "add CAP_BPF to the container").hint).toBe("add CAP_BPF to the container");
  });

  it("leave the existing codes as they were", () => {
    expect(helperError("lockdown", "m").exitCode).toBe(EXIT.missingPrerequisite);
    expect(helperError("lockdown", "m").hint).toBeUndefined();
    expect(helperError("unsupported-layout", "m").exitCode).toBe(EXIT.helperFailure);
  });
});
