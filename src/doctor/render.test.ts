// Doctor's text and JSON, from hand-made reports: the groups, the fix under each failure, and the
// one sentence that says which backend --backend auto would use there.
import { describe, expect, it } from "vitest";
import { HOSTILE, expectNoRawControls } from "../../test/fixtures/hostile-strings.js";
import { CHECK_BACKENDS, type CheckName } from "../schema/helper-line.js";
import { renderDoctorText, toDoctorJson } from "./render.js";
import type { DoctorCheck, DoctorReport } from "./report.js";

const check =
  (status: DoctorCheck["status"]) =>
  (name: CheckName, detail: string, fix?: string): DoctorCheck => ({
    check: name,
    backend: CHECK_BACKENDS[name],
    status,
    code: status === "fail" ? "some-code" : null,
    detail,
    fix: fix ?? null,
  });
const ok = check("ok");
const fail = check("fail");
const skipped = check("skipped");

const facts = { where: "ci-7", kernel: "6.18.0", os: "Debian GNU/Linux 13 (trixie)", user: "root" };

function report(bpf: DoctorCheck[], drgn: DoctorCheck[], autoUses: DoctorReport["autoUses"]): DoctorReport {
  const both = [ok("root", "running as root"), ok("lockdown", "[none]"), ok("python3", "Python 3.13")];
  return { ...facts, results: [...both, ...bpf, ...drgn], autoUses };
}

const bpfGreen = [
  ok("BTF", "/sys/kernel/btf/vmlinux (5.3 MiB)"),
  ok("capabilities", "CAP_BPF, CAP_PERFMON"),
  ok("bpf()", "works: per-CPU offsets from __per_cpu_offset (kallsyms); era percpu (…)"),
];
const drgnRed = [
  fail("/proc/kcore", "missing", "boot a kernel with CONFIG_PROC_KCORE=y"),
  fail("drgn", "not installed", "apt install python3-drgn"),
  skipped("debug info", "not checked"),
  skipped("rss_stat era", "not checked"),
];

describe("renderDoctorText", () => {
  it("groups the checks under each backend, bpf first, with the fix under each failure", () => {
    const text = renderDoctorText(report(bpfGreen, drgnRed, "bpf"), { color: false });
    const lines = text.split("\n");
    const at = (prefix: string) => lines.findIndex((line) => line.startsWith(prefix));
    expect(at("✔ root")).toBeLessThan(at("bpf backend (tried first by --backend auto)"));
    expect(at("bpf backend")).toBeLessThan(at("✔ BTF"));
    expect(at("✔ bpf()")).toBeLessThan(at("drgn backend (tried next)"));
    expect(at("drgn backend")).toBeLessThan(at("✘ /proc/kcore"));
    expect(lines[at("✘ drgn") + 1]).toMatch(/^ +fix: apt install python3-drgn$/);
    expect(lines[at("✔ bpf()")]).toContain("per-CPU offsets from __per_cpu_offset (kallsyms)");
  });

  it("says auto uses bpf when its round trip worked, even with drgn red, and is not 'all green'", () => {
    const text = renderDoctorText(report(bpfGreen, drgnRed, "bpf"), { color: false, host: "ci-7" });
    expect(text).toContain("rssdrift reads the kernel's own counters on ci-7 with the bpf backend.");
    expect(text).toContain("--backend auto (the default) uses bpf there.");
    expect(text).toContain("rssdrift <pid> --host ci-7");
    expect(text).not.toContain("All green");
  });

  it("says auto uses drgn when bpf cannot run, pointing at bpf's failure", () => {
    const bpfRed = [fail("BTF", "missing", "use a kernel with BTF"), ok("capabilities", "…"), fail("bpf()", "refused (no-btf): see BTF")];
    const drgnGreen = [ok("/proc/kcore", "…"), ok("drgn", "0.0.31"), ok("debug info", "…"), ok("rss_stat era", "percpu")];
    const text = renderDoctorText(report(bpfRed, drgnGreen, "drgn"), { color: false });
    expect(text).toContain("with the drgn backend (bpf cannot run there: see its ✘ above)");
    expect(text).toContain("--backend auto (the default) uses drgn there.");
  });

  it("says all green only when every check of both backends is", () => {
    const drgnGreen = [ok("/proc/kcore", "…"), ok("drgn", "0.0.31"), ok("debug info", "…"), ok("rss_stat era", "percpu")];
    expect(renderDoctorText(report(bpfGreen, drgnGreen, "bpf"), { color: false })).toContain("All green: rssdrift reads");
  });

  it("points to the procfs estimate when neither backend works", () => {
    const bpfRed = [ok("BTF", "…"), fail("capabilities", "none", "run as root"), skipped("bpf()", "not tried")];
    const text = renderDoctorText(report(bpfRed, drgnRed, "procfs"), { color: false });
    expect(text).toContain("Neither kernel backend (bpf, drgn) can work on ci-7 yet: 3 checks failed.");
    expect(text).toContain("--backend auto uses the procfs estimate there");
    expect(text).toContain("rssdrift <pid> --backend procfs");
    expect(text).toMatch(/^– bpf\(\) +not tried$/m);
  });
});

describe("toDoctorJson", () => {
  it("says where, what auto would use there, and tags every check with the backend it is for, in the text's order", () => {
    const json = toDoctorJson(report(bpfGreen, drgnRed, "bpf"));
    expect(json).toMatchObject({ where: "ci-7", kernel: "6.18.0", os: "Debian GNU/Linux 13 (trixie)", user: "root", auto: "bpf" });
    const entries = json.checks;
    expect(entries.map((entry) => `${entry.backend}:${entry.check}`)).toEqual([
      "both:root",
      "both:lockdown",
      "both:python3",
      "bpf:BTF",
      "bpf:capabilities",
      "bpf:bpf()",
      "drgn:/proc/kcore",
      "drgn:drgn",
      "drgn:debug info",
      "drgn:rss_stat era",
    ]);
    expect(entries.find((entry) => entry.check === "drgn")).toEqual({
      check: "drgn",
      backend: "drgn",
      ok: false,
      status: "fail",
      code: "some-code",
      detail: "not installed",
      fix: "apt install python3-drgn",
    });
    expect(entries.find((entry) => entry.check === "debug info")!.ok).toBeNull();
  });
});

describe("doctor output from a hostile target", () => {
  // os-release, the release, the user and what a check found all come from the target
  const report: DoctorReport = {
    where: "root@lab:22",
    kernel: HOSTILE.kernel,
    os: "Debian\u001b]0;owned\u0007",
    user: "root\r\nforged",
    results: [ok("root", "uid 0"), fail("drgn", `import drgn failed: ${HOSTILE.message}`, "apt install \u202epython3-drgn")],
    autoUses: "procfs",
  };

  it("shows them as escapes", () => {
    for (const color of [false, true]) {
      const text = renderDoctorText(report, { color, host: "lab\u0007" });
      expectNoRawControls(text, `color ${color}`, { allowSgr: color });
      expect(text).toContain(`kernel ${HOSTILE.shownKernel} · Debian\\e]0;owned\\x07 · user root\\r\\nforged`);
      expect(text).toContain("fix: apt install \\u202epython3-drgn");
      expect(text).toContain("--host lab\\x07 --backend procfs");
    }
  });

  it("keeps them exact in --json", () => {
    expect(toDoctorJson(report).checks[1]).toEqual({
      check: "drgn",
      backend: "drgn",
      ok: false,
      code: "some-code",
      detail: `import drgn failed: ${HOSTILE.message}`,
      fix: "apt install \u202epython3-drgn",
      status: "fail",
    });
  });
});
