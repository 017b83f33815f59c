// A helper that ended without an error line: a Python that is not there, or not for this user, is
// a missing prerequisite (exit 4) with what to install; anything else is the helper's failure.
import { describe, expect, it } from "vitest";
import { EXIT } from "../errors.js";
import { helperExitError } from "./helper-failure.js";

const exit = (code: number) => ({ code, signal: null });

describe("helperExitError", () => {
  it("a python3 the shell cannot find, or may not run, is a missing prerequisite", () => {
    for (const [code, stderr] of [
      [127, "sh: 1: python3: not found\n"],
      [127, ""],
      [126, "bash: /root/.pyenv/shims/python3: Permission denied\n"],
    ] as const) {
      const error = helperExitError(exit(code), stderr, "deploy@db1", "python3", "procfs");
      expect(error.code, stderr).toBe("no-python");
      expect(error.exitCode).toBe(EXIT.missingPrerequisite);
      expect(error.message).toMatch(/^python3 is not available on deploy@db1: /);
    }
  });

  it("the procfs backend needs python3 alone; drgn also needs python3-drgn", () => {
    const missing = (backend: "procfs" | "bpf" | "drgn") => helperExitError(exit(127), "", "here", "python3", backend).hint;
    expect(missing("procfs")).toBe("install python3 on the target, or name another with --python");
    expect(missing("bpf")).toBe(missing("procfs"));
    expect(missing("drgn")).toContain("python3-drgn");
    for (const backend of ["procfs", "bpf", "drgn"] as const) expect(missing(backend)).not.toContain("--backend procfs");
  });

  it("126 for another reason (the sudo wrapper's refusal) is the helper's failure, quoted", () => {
    const error = helperExitError(exit(126), "rssdrift-helper: refused: unexpected helper argument '--x'\n", "here");
    expect(error.exitCode).toBe(EXIT.helperFailure);
    expect(error.message).toBe("the helper on here exited with code 126: rssdrift-helper: refused: unexpected helper argument '--x'");
  });
});
