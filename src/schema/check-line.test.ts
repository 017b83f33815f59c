// The check line (`rss_stat.py --check`, rendered by `rssdrift doctor`): what it must carry, and
// that it only comes where it is asked for, never in a sampling run.
import { describe, expect, it } from "vitest";
import { CHECK_BACKENDS, CHECK_NAMES, type CheckLine } from "./helper-line.js";
import { parseHelperLine, parseProtocolLine } from "./validate-line.js";

const line: CheckLine = {
  type: "check",
  protocol: 1,
  kernel: "6.12.0",
  os: "Debian GNU/Linux 13 (trixie)",
  user: "root",
  uid: 0,
  euid: 0,
  auto: "bpf",
  checks: CHECK_NAMES.map((check) => ({ check, backend: CHECK_BACKENDS[check], status: "ok", code: null, detail: "fine", fix: null })),
};
const parse = (value: unknown) => parseProtocolLine(JSON.stringify(value));
const withCheck = (index: number, change: Record<string, unknown>) => ({
  ...line,
  checks: line.checks.map((entry, at) => (at === index ? { ...entry, ...change } : entry)),
});

describe("the check line", () => {
  it("validates with one entry per check", () => {
    expect(parse(line)).toEqual(line);
    expect(parse(withCheck(6, { status: "fail", code: "no-kcore", fix: "boot a kernel with it" }))).toMatchObject({ type: "check" });
  });

  it("is refused without a check, with one too many, or with a check it does not know", () => {
    expect(() => parse({ ...line, checks: line.checks.slice(1) })).toThrow(/\/checks/);
    expect(() => parse({ ...line, checks: [...line.checks, line.checks[0]] })).toThrow(/\/checks/);
    expect(() => parse(withCheck(0, { check: "sudo" }))).toThrow(/\/checks\/0\/check/);
  });

  it("is refused when a check is put under another backend than its own", () => {
    expect(() => parse(withCheck(CHECK_NAMES.indexOf("bpf()"), { backend: "drgn" }))).toThrow(/\/checks\/5\/backend/);
  });

  it("takes the backends' error codes for a failure, and no made-up one", () => {
    expect(parse(withCheck(2, { status: "fail", code: "old-python" }))).toMatchObject({ type: "check" });
    expect(() => parse(withCheck(2, { status: "fail", code: "python-sad" }))).toThrow(/\/checks\/2\/code/);
  });

  it("never passes as a line of a sampling run", () => {
    expect(() => parseHelperLine(JSON.stringify(line), "the drgn helper")).toThrow(
      "the drgn helper printed a check line where samples were expected",
    );
  });
});
