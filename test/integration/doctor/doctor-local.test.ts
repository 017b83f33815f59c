// `rssdrift doctor` on this machine, through the real helper's check mode: the local transport as
// root, and the same transport wrapped in setpriv as an unprivileged user. The expectations come
// from looking at the machine independently (fs, spawnSync), not from the doctor's own code.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { PassThrough } from "node:stream";
import { gunzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { doctorCommand } from "../../../src/commands/doctor.js";
import { runCommandLine } from "../../../src/commands/command.js";
import type { ProcessContext } from "../../../src/commands/context.js";
import type { DoctorCheck, DoctorReport } from "../../../src/doctor/report.js";
import { runDoctor } from "../../../src/doctor/run-doctor.js";
import { EXIT, RssdriftError } from "../../../src/errors.js";
import { localTransport } from "../../../src/transports/local-transport.js";
import type { Transport } from "../../../src/transports/transport.js";
import { HELPER_SCRIPT_PATH } from "../../../src/sources/helper-launch.js";

const release = execFileSync("uname", ["-r"], { encoding: "utf8" }).trim();
const isRoot = process.getuid?.() === 0;
const hasKcore = existsSync("/proc/kcore");
const drgnImports = spawnSync("python3", ["-c", "import drgn"]).status === 0;
const pythonVersion = execFileSync("python3", ["-c", "import platform; print(platform.python_version())"], { encoding: "utf8" }).trim();
const hasBtf = existsSync("/sys/kernel/btf/vmlinux");
/** the real helper's bpf reader, run directly once on itself: does bpf work here at all? */
const bpfRoundTrip = spawnSync("python3", ["-I", HELPER_SCRIPT_PATH, "--backend", "bpf", "--pid", "self", "--count", "1"], {
  encoding: "utf8",
});
const bpfWorks = isRoot && bpfRoundTrip.status === 0;
const isDebian = existsSync("/etc/os-release") && /^ID=debian$/m.test(readFileSync("/etc/os-release", "utf8"));

function byName(report: DoctorReport): Record<string, DoctorCheck> {
  return Object.fromEntries(report.results.map((result) => [result.check, result]));
}

function capture(): { ctx: ProcessContext; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (chunk) => (out += chunk));
  stderr.on("data", (chunk) => (err += chunk));
  const ctx: ProcessContext = { stdin: new PassThrough(), stdout, stderr, env: {}, signal: new AbortController().signal };
  return { ctx, out: () => out, err: () => err };
}

/** Runs every command as `nobody` (setpriv drops uid, gid and groups): a real unprivileged user. */
function asNobody(inner: Transport, started: string[][] = []): Transport {
  return {
    where: "this machine as nobody",
    start: (argv) => {
      started.push([...argv]);
      return inner.start(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--", ...argv]);
    },
    close: () => inner.close(),
  };
}

/** The local transport, counting the commands it starts: each is one round trip over SSH. */
function counting(started: string[][]): Transport {
  const inner = localTransport();
  return {
    ...inner,
    where: inner.where,
    start: (argv) => {
      started.push([...argv]);
      return inner.start(argv);
    },
    close: () => inner.close(),
  };
}

// each test runs the real helper's checks (bpf and apt-cache among them) on a machine others share
describe.skipIf(!isRoot)("doctor on this machine, as root", { timeout: 60_000 }, () => {
  let report: DoctorReport;
  const started: string[][] = [];
  beforeAll(async () => {
    report = await runDoctor(counting(started));
  }, 60_000);

  it("starts the helper once, in its check mode, without sudo", () => {
    expect(started).toHaveLength(1);
    expect(started[0]).toContain("--check");
    expect(started[0]![0]).not.toBe("sudo");
  });

  it("lists every check, in order", () => {
    expect(report.results.map((result) => result.check)).toEqual([
      "root",
      "lockdown",
      "python3",
      "BTF",
      "capabilities",
      "bpf()",
      "/proc/kcore",
      "drgn",
      "debug info",
      "rss_stat era",
    ]);
    expect(report.kernel).toBe(release);
  });

  it("reports root, python3 and its version as found", () => {
    const checks = byName(report);
    expect(checks.root!.status).toBe("ok");
    expect(checks.python3!.status).toBe("ok");
    expect(checks.python3!.detail).toContain(`Python ${pythonVersion}`);
  });

  it("reports /proc/kcore and drgn as this machine has them", () => {
    const checks = byName(report);
    expect(checks["/proc/kcore"]!.status).toBe(hasKcore ? "ok" : "fail");
    expect(checks.drgn!.status).toBe(drgnImports ? "ok" : "fail");
    if (!drgnImports) expect(checks.drgn!.fix).toMatch(/install python3-drgn|install drgn/);
  });

  it.skipIf(hasKcore)("explains a missing /proc/kcore from the kernel config when it can", () => {
    const kcore = byName(report)["/proc/kcore"]!;
    const config = existsSync("/proc/config.gz") ? gunzipSync(readFileSync("/proc/config.gz")).toString() : "";
    if (/^# CONFIG_PROC_KCORE is not set$/m.test(config)) expect(kcore.detail).toMatch(/built without CONFIG_PROC_KCORE/);
    else if (/^CONFIG_PROC_KCORE=y$/m.test(config)) expect(kcore.detail).toMatch(/hides it/);
    expect(kcore.fix).toMatch(/CONFIG_PROC_KCORE=y|host/);
  });

  it.skipIf(hasKcore && drgnImports)("does not run the helper, and labels the era as a guess from the version", () => {
    const era = byName(report)["rss_stat era"]!;
    expect(era.status).toBe("skipped");
    const [major, minor] = release.split(".").map(Number) as [number, number];
    const expected = major > 6 || (major === 6 && minor >= 2) ? "percpu" : "split-rss";
    expect(era.detail).toContain(`guessed from the kernel release ${release}: ${expected}`);
  });

  it("finds BTF and root's capabilities as this machine has them", () => {
    const checks = byName(report);
    expect(checks.BTF!.status).toBe(hasBtf ? "ok" : "fail");
    const capEff = BigInt(`0x${/^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync("/proc/self/status", "utf8"))![1]}`);
    const capable = ((capEff >> 39n) & 1n) === 1n && ((capEff >> 38n) & 1n) === 1n;
    expect(checks.capabilities!.status).toBe(capable || ((capEff >> 21n) & 1n) === 1n ? "ok" : "fail");
  });

  it("runs the real helper's bpf reader once and agrees with running it directly", () => {
    const bpf = byName(report)["bpf()"]!;
    if (!bpfWorks) {
      console.warn(
        `bpf does not work here (the helper said: ${bpfRoundTrip.stdout.trim().split("\n").at(-1)}); checking doctor's failure line`,
      );
      expect(bpf.status).toBe("fail");
      expect(bpf.detail).toMatch(/^(the helper's bpf reader failed|refused) \(/);
      return;
    }
    expect(bpf.status).toBe("ok");
    expect(bpf.detail).toMatch(/^works: read its own counters with a BPF program; (per-CPU offsets from |no per-CPU offsets needed)/);
    expect(bpf.detail).toMatch(/era (percpu|split-rss|none) /);
    expect(report.autoUses).toBe("bpf");
  });

  it.skipIf(!bpfWorks)("exits 0 and says auto uses bpf, though drgn cannot run here", { timeout: 60_000 }, async () => {
    const { ctx, out } = capture();
    expect(await runCommandLine(doctorCommand, [], ctx)).toBe(EXIT.ok);
    expect(out()).toContain("--backend auto (the default) uses bpf there.");
  });

  it.skipIf(bpfWorks || (hasKcore && drgnImports))(
    "exits with the missing-prerequisite code and points to the procfs estimate",
    async () => {
      const { ctx, out } = capture();
      const code = await runCommandLine(doctorCommand, [], ctx);
      expect(code).toBe(EXIT.missingPrerequisite);
      expect(out()).toMatch(/^✘ \/proc\/kcore|^✘ drgn/m);
      expect(out()).toContain("rssdrift <pid> --backend procfs");
      expect(out()).toContain("--backend auto uses the procfs estimate there");
      expect(out()).not.toContain("\u001b["); // not a terminal: no colours
    },
  );

  it("prints --json as the target, what auto uses there, and the checks as {check, backend, ok, status, code, detail, fix}", async () => {
    const { ctx, out } = capture();
    await runCommandLine(doctorCommand, ["--json"], ctx);
    const json = JSON.parse(out()) as {
      kernel: string;
      auto: string;
      checks: { check: string; ok: boolean | null; status: string; code: string | null }[];
    };
    expect(Object.keys(json).sort()).toEqual(["auto", "checks", "kernel", "os", "user", "where"]);
    expect(json.kernel).toBe(release);
    expect(json.auto).toBe(report.autoUses);
    const entries = json.checks;
    expect(entries.map((entry) => Object.keys(entry).sort())).toEqual(
      entries.map(() => ["backend", "check", "code", "detail", "fix", "ok", "status"]),
    );
    for (const entry of entries) expect(entry.code === null).toBe(entry.status !== "fail");
    const checks = byName(report);
    for (const entry of entries) {
      expect(entry.status).toBe(checks[entry.check]!.status);
      expect(entry.ok).toBe({ ok: true, warn: true, fail: false, skipped: null }[entry.status]);
    }
  });

  it("shows an unreadable lockdown file as a warning (!), never a tick", async () => {
    const lockdown = byName(report).lockdown!;
    if (existsSync("/sys/kernel/security/lockdown")) return; // readable here: nothing unknown to show
    expect(lockdown.status).toBe("warn");
    const { ctx, out } = capture();
    await runCommandLine(doctorCommand, [], ctx);
    expect(out()).toMatch(/^! lockdown +mode unknown/m);
    expect(out()).not.toMatch(/✔ lockdown +mode unknown/);
  });

  it("names a -dbg package only when apt knows it, and --vmlinux otherwise", () => {
    const debugInfo = byName(report)["debug info"]!;
    if (debugInfo.status === "ok") return;
    const apt = spawnSync("apt-cache", ["policy", `linux-image-${release}-dbg`], { encoding: "utf8" });
    const known = apt.status === 0 && /Candidate: (?!\(none\))/.test(apt.stdout);
    if (known) expect(debugInfo.fix).toMatch(/install linux-image-.*-dbg$/);
    else expect(debugInfo.fix).toMatch(/--vmlinux PATH/);
    if (!known && apt.status === 0 && isDebian) expect(debugInfo.fix).toMatch(/^apt knows no linux-image-/);
  });
});

describe.skipIf(!isRoot)("doctor as an unprivileged user (setpriv to nobody)", () => {
  // nobody cannot enter /root, where pyenv's python3 lives: the distribution's python3 it is
  const python = "/usr/bin/python3";
  const sudoInstalled = spawnSync("sh", ["-c", "command -v sudo"]).status === 0;
  let report: DoctorReport;
  const started: string[][] = [];
  beforeAll(async () => {
    report = await runDoctor(asNobody(localTransport(), started), { python });
  }, 60_000);

  it("asks the helper as nobody, then through sudo -n, as rssdrift would start it", () => {
    expect(started.map((argv) => argv[0])).toEqual([python, "sudo"]);
    expect(started.every((argv) => argv.includes("--check"))).toBe(true);
  });

  it("fails the root check with a fix, and does not run the readers", () => {
    const checks = byName(report);
    expect(report.user).toBe("nobody");
    expect(checks.root!.status).toBe("fail");
    expect(checks.root!.detail).toMatch(/^running as nobody \(uid 65534\)/);
    expect(checks.root!.detail).toMatch(sudoInstalled ? /`sudo -n \/usr\/bin\/python3` fails/ : /sudo is not installed/);
    expect(checks.root!.fix).toMatch(/run rssdrift as root/);
    expect(checks["rss_stat era"]!.status).toBe("skipped");
    expect(checks["bpf()"]!.status).toBe("skipped");
    expect(checks.capabilities!.fix).toMatch(/run rssdrift as root/);
    // what needs no root is checked as nobody
    expect(checks.python3!.detail).toContain(python);
    expect(checks.BTF!.status).toBe(hasBtf ? "ok" : "fail");
    expect(report.autoUses).toBe("procfs");
  });

  it("puts sudo in front of the install commands it suggests", () => {
    const fixes = report.results.flatMap((result) => (result.fix ? [result.fix] : []));
    const installs = fixes.filter((fix) => /\b(apt|dnf) (install|debuginfo-install)\b/.test(fix));
    for (const fix of installs) expect(fix).toMatch(/sudo (apt|dnf) /);
  });

  it("says python3 is not there when nobody cannot run it, and root as far as sudo tells", async () => {
    const missing = await runDoctor(asNobody(localTransport()), { python: "/nonexistent/python3" });
    const checks = byName(missing);
    expect(checks.python3).toMatchObject({ status: "fail", code: "no-python" });
    if (!sudoInstalled) expect(checks.root).toMatchObject({ status: "fail", detail: "not known to be root, and sudo is not installed" });
    expect(missing.autoUses).toBe("procfs");
  });
});

describe("doctor's arguments", () => {
  it("teaches every check in --help", async () => {
    const { ctx, out } = capture();
    expect(await runCommandLine(doctorCommand, ["--help"], ctx)).toBe(EXIT.ok);
    for (const check of [
      "root",
      "/proc/kcore",
      "lockdown",
      "python3",
      "drgn",
      "debug info",
      "rss_stat era",
      "BTF",
      "capabilities",
      "bpf()",
    ]) {
      expect(out()).toContain(`  ${check}`);
    }
  });

  it("refuses unknown flags and stray words as bad input", async () => {
    const { ctx } = capture();
    for (const argv of [["--pid", "3"], ["1234"]]) {
      const error = await runCommandLine(doctorCommand, argv, ctx).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(RssdriftError);
      expect((error as RssdriftError).exitCode).toBe(EXIT.badInput);
    }
  });
});
