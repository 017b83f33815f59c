// Pure parts of the checks: kernel config, drgn's search path, the debuginfod verdict and the
// words used for the era.
import { describe, expect, it } from "vitest";
import { debuginfodVerdict, vmlinuxCandidates } from "./check-debug-info.js";
import { describeHello, guessedEraDetail } from "./check-era.js";
import { parseKcoreConfig } from "./check-kcore.js";
import { parsePythonVersion } from "./check-python.js";
import { withPrivilege } from "./check-root.js";
import { parseDrgnVersion } from "./drgn-version.js";
import { lab612Hello } from "../../test/fixtures/lab-samples.js";

describe("parseKcoreConfig", () => {
  it("reads the kernel config line both ways", () => {
    expect(parseKcoreConfig("CONFIG_PROC_KCORE=y\n")).toBe("built");
    expect(parseKcoreConfig("# CONFIG_PROC_KCORE is not set\n")).toBe("not-built");
    expect(parseKcoreConfig("")).toBe("unknown");
    expect(parseKcoreConfig("CONFIG_PROC_KCORE_EXTRA=y\n")).toBe("unknown");
  });
});

describe("vmlinuxCandidates", () => {
  it("follows drgn's order: /usr/lib/debug first, then /boot and the build tree", () => {
    expect(vmlinuxCandidates("6.1.0-50-cloud-amd64")).toEqual([
      "/usr/lib/debug/boot/vmlinux-6.1.0-50-cloud-amd64",
      "/usr/lib/debug/lib/modules/6.1.0-50-cloud-amd64/vmlinux",
      "/boot/vmlinux-6.1.0-50-cloud-amd64",
      "/lib/modules/6.1.0-50-cloud-amd64/build/vmlinux",
    ]);
  });
});

describe("debuginfodVerdict", () => {
  const base = { urls: "https://debuginfod.example/", drgn: parseDrgnVersion("0.0.31"), osId: "fedora", built: true };
  it("counts debuginfod only for drgn >= 0.0.31 on Fedora, built with it", () => {
    expect(debuginfodVerdict(base).usable).toBe(true);
    expect(debuginfodVerdict({ ...base, built: null }).usable).toBe(true);
    expect(debuginfodVerdict({ ...base, urls: "" })).toEqual({ usable: false, reason: "DEBUGINFOD_URLS is not set" });
    expect(debuginfodVerdict({ ...base, drgn: parseDrgnVersion("0.0.22") }).reason).toMatch(/0\.0\.22 cannot use debuginfod/);
    expect(debuginfodVerdict({ ...base, osId: "debian" }).reason).toMatch(/only on Fedora/);
    expect(debuginfodVerdict({ ...base, built: false }).reason).toMatch(/built without debuginfod/);
    expect(debuginfodVerdict({ ...base, drgn: null }).usable).toBe(false);
  });
});

describe("withPrivilege", () => {
  it("prefixes sudo -n only when root comes through sudo", () => {
    expect(withPrivilege("sudo", ["python3", "-c", "pass"])).toEqual(["sudo", "-n", "python3", "-c", "pass"]);
    expect(withPrivilege("root", ["python3"])).toEqual(["python3"]);
    expect(withPrivilege("none", ["python3"])).toEqual(["python3"]);
  });
});

describe("parsePythonVersion", () => {
  it("reads platform.python_version()", () => {
    expect(parsePythonVersion("3.11.7")).toEqual([3, 11, 7]);
    expect(parsePythonVersion("3.13.0rc1")).toEqual([3, 13, 0]);
    expect(parsePythonVersion("nonsense")).toBeNull();
  });
});

describe("era wording", () => {
  // a real hello line from the trixie lab VM (6.12, 4 CPUs), transcribed in the fixture
  const hello = lab612Hello;

  it("names the era, layout, batch and CPU count from the hello line", () => {
    expect(describeHello(hello)).toBe(
      "percpu (from mm_struct's types: mm->rss_stat is struct percpu_counter [4]; batch 32, 4 online CPUs; drgn 0.0.31)",
    );
    expect(describeHello({ ...hello, era: "split-rss", layout: "struct mm_rss_stat", batch: null, slot_kind: "thread" })).toMatch(
      /^split-rss \(from mm_struct's types: mm->rss_stat is struct mm_rss_stat, plus per-thread caches/,
    );
  });

  it("labels a version-based era as a guess", () => {
    expect(guessedEraDetail("6.1.0-50-cloud-amd64")).toMatch(/^not checked \(needs the above\); a guess from the kernel version 6\.1\.0-50-cloud-amd64: split-rss/);
    expect(guessedEraDetail("6.12.107+deb13-cloud-amd64")).toMatch(/: percpu \(v6\.2 and later are percpu/);
    expect(guessedEraDetail("weird")).toMatch(/does not say which era/);
  });
});
