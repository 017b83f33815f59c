// How the helper's interpreter is named and started: always -I, the name one checked argv word.
import { describe, expect, it } from "vitest";
import { BOOTSTRAP, helperArgv } from "./helper-launch.js";
import { checkPythonCommand, isolatedPython } from "./python.js";

const base = { pid: 7, intervalMs: 500, smaps: false };

describe("helperArgv", () => {
  it("starts python3 isolated, with and without sudo", () => {
    expect(helperArgv({ ...base, sudo: false }).slice(0, 4)).toEqual(["python3", "-I", "-c", BOOTSTRAP]);
    expect(helperArgv({ ...base, sudo: true }).slice(0, 6)).toEqual(["sudo", "-n", "python3", "-I", "-c", BOOTSTRAP]);
  });

  it("starts the named interpreter isolated, and passes --vmlinux as one word", () => {
    const argv = helperArgv({ ...base, sudo: true, python: "/usr/bin/python3", vmlinux: "/srv/debug/vmlinux 6.1 'x'" });
    expect(argv.slice(0, 5)).toEqual(["sudo", "-n", "/usr/bin/python3", "-I", "-c"]);
    expect(argv.slice(-2)).toEqual(["--vmlinux", "/srv/debug/vmlinux 6.1 'x'"]);
  });

  it("starts the procfs backend by name, with the machine's label as one word", () => {
    const argv = helperArgv({ ...base, sudo: false, backend: "procfs", where: "deploy@db1 (10.0.0.7:22)" });
    expect(argv[0]).toBe("python3");
    expect(argv.join(" ")).toContain("--backend procfs");
    expect(argv.slice(-2)).toEqual(["--where", "deploy@db1 (10.0.0.7:22)"]);
    // drgn is the helper's default, named by leaving --backend out
    expect(helperArgv({ ...base, sudo: true, backend: "drgn" })).not.toContain("--backend");
  });

  it("isolatedPython puts -I before anything else", () => {
    expect(isolatedPython("python3", ["-m", "drgn", "--version"])).toEqual(["python3", "-I", "-m", "drgn", "--version"]);
  });
});

describe("--python and RSSDRIFT_PYTHON", () => {
  it("take an absolute path or a bare command name", () => {
    for (const ok of ["python3", "python3.11", "/usr/bin/python3", "/opt/py-3.12/bin/python3", "/root/.pyenv/shims/python3"]) {
      expect(checkPythonCommand(ok)).toBe(ok);
    }
  });

  it("refuse relative paths, options and anything a shell would read as more than a name", () => {
    for (const bad of [
      "",
      "./python3",
      "bin/python3",
      "-c",
      "python3 -c 'x'",
      "python3;id",
      "$(id)",
      "`id`",
      "py\nthon",
      "/usr/bin/python3 ",
      "~/py",
      "a|b",
      "/x*",
    ]) {
      expect(checkPythonCommand(bad)).toBeUndefined();
    }
  });
});
