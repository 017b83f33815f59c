// The ELF probe against real files: binaries built here with and without DWARF, a debug-only
// file as distributions ship them (objcopy --only-keep-debug, like vmlinux in linux-image-*-dbg),
// a 32-bit object, and things that are not ELF at all.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ELF_DEBUG_INFO_SCRIPT, parseElfDebugStatus } from "./elf-debug-info.js";

const hasToolchain = ["gcc", "objcopy", "strip"].every((tool) => spawnSync(tool, ["--version"]).status === 0);

function probeFiles(paths: string[]): Map<string, string> {
  const stdout = execFileSync("python3", ["-c", ELF_DEBUG_INFO_SCRIPT, ...paths], { encoding: "utf8" });
  return parseElfDebugStatus(stdout);
}

describe.skipIf(!hasToolchain)("ELF_DEBUG_INFO_SCRIPT on real files", () => {
  let dir = "";
  const file = (name: string) => join(dir, name);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "rssdrift-elf-"));
    writeFileSync(file("prog.c"), "int answer = 42;\nint main(void) { return answer - 42; }\n");
    execFileSync("gcc", ["-g", "-o", file("with-dwarf"), file("prog.c")]);
    execFileSync("gcc", ["-g0", "-o", file("without-dwarf"), file("prog.c")]);
    execFileSync("strip", ["-o", file("stripped"), file("with-dwarf")]);
    execFileSync("objcopy", ["--only-keep-debug", file("with-dwarf"), file("debug-only")]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("tells files with DWARF from files without", () => {
    const statuses = probeFiles([file("with-dwarf"), file("debug-only"), file("without-dwarf"), file("stripped")]);
    expect(Object.fromEntries(statuses)).toEqual({
      [file("with-dwarf")]: "debug-info",
      [file("debug-only")]: "debug-info",
      [file("without-dwarf")]: "no-debug-info",
      [file("stripped")]: "no-debug-info",
    });
  });

  it("reads 32-bit ELF too, when gcc can build one", () => {
    const built = spawnSync("gcc", ["-m32", "-g", "-c", "-o", file("prog32.o"), file("prog.c")]);
    if (built.status !== 0) return; // no 32-bit multilib here: nothing to check against
    expect(probeFiles([file("prog32.o")]).get(file("prog32.o"))).toBe("debug-info");
  });

  it("says what is wrong with paths that are not ELF files", () => {
    const statuses = probeFiles([file("prog.c"), file("nothing-here"), dir]);
    expect(statuses.get(file("prog.c"))).toBe("not-elf");
    expect(statuses.get(file("nothing-here"))).toBe("missing");
    expect(statuses.get(dir)).toMatch(/^unreadable: /);
  });
});

describe("parseElfDebugStatus", () => {
  it("splits path and status at the first tab and ignores other lines", () => {
    const statuses = parseElfDebugStatus("/a b/vmlinux\tdebug-info\n\nnoise\n/x\tunreadable: Permission denied\n");
    expect([...statuses]).toEqual([
      ["/a b/vmlinux", "debug-info"],
      ["/x", "unreadable: Permission denied"],
    ]);
  });
});
