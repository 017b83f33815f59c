// --backend auto's order (bpf, drgn, the procfs estimate) and its reasons, over a real local child
// process: a scripted helper stands in for helpers/rss_stat.py and answers per --backend, so each
// backend's failure is real process output (an error line, a crash, sudo's refusal on stderr).
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { TargetOptions } from "../../src/sources/target.js";
import { EXIT, RssdriftError } from "../../src/errors.js";
import type { HelperLine } from "../../src/schema/helper-line.js";
import { openBackend } from "../../src/sources/open-source.js";
import type { SampleSource } from "../../src/sources/sample-source.js";
import { localTransport } from "../../src/transports/local-transport.js";
import { defaultSshOptions } from "../../src/transports/ssh-options.js";

// the procfs estimate reads a real process: this test's own
const PID = process.pid;
const hello = (backend: "bpf" | "drgn") => ({
  type: "hello",
  protocol: 1,
  backend,
  kernel: "6.18.0-test",
  drgn: backend === "drgn" ? "0.0.31" : null,
  page_size: 4096,
  cpus: { online: [0, 1], possible: [0, 1] },
  batch: 32,
  era: "percpu",
  era_source: "type",
  layout: "struct percpu_counter [4]",
  slot_kind: "cpu",
  fault_around_pages: 16,
  target: { pid: PID, comm: "node", start_time: 1, threads: 1 },
  interval_ms: 100,
  smaps: false,
  ...(backend === "bpf" ? { bpf: { per_cpu_offsets: "kallsyms", insns: 300, btf_ms: 40, load_ms: 2 } } : {}),
});
const counter = {
  count: 5,
  cached: 5,
  exact: 6,
  residue: [
    { slot: 0, pages: 1 },
    { slot: 1, pages: 0 },
  ],
};
const sample = {
  type: "sample",
  seq: 0,
  mono_ms: 1000,
  threads: 1,
  counters: { file: counter, anon: counter, shmem: counter, swap: { ...counter, exact: 5, residue: [] } },
  proc: {
    statm: { size: 10, resident: 15, shared: 5 },
    status: { VmRSS: 60, RssAnon: 20, RssFile: 20, RssShmem: 20, VmSwap: 0, VmHWM: 60 },
    stat_rss: 15,
    smaps_rollup: null,
  },
  read_us: 10,
};
const error = (code: string, message: string, hint?: string) => ({ type: "error", code, message, ...(hint ? { hint } : {}) });

/** What one backend of the scripted helper does: print these lines, write stderr, exit. */
interface Act {
  lines?: unknown[];
  stderr?: string;
  exit?: number;
}

const dir = mkdtempSync(join(tmpdir(), "rssdrift-auto-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A helper that picks its act by --backend (absent: drgn, as the real helper does) and leaves a
 * file named after the backend in `dir`, so a test can tell which backends were started at all.
 */
function scriptedHelper(acts: { bpf: Act; drgn: Act }): Buffer {
  return Buffer.from(
    `${[
      "import json, os, sys",
      "argv = sys.argv[1:]",
      "backend = argv[argv.index('--backend') + 1] if '--backend' in argv else 'drgn'",
      `open(os.path.join(${JSON.stringify(dir)}, backend), 'w').write(' '.join(argv))`,
      `act = json.loads(${JSON.stringify(JSON.stringify(acts))})[backend]`,
      "for line in act.get('lines', []): print(json.dumps(line), flush=True)",
      "sys.stderr.write(act.get('stderr', ''))",
      "sys.exit(act.get('exit', 0))",
    ].join("\n")}\n`,
  );
}

const started = (backend: string) => existsSync(join(dir, backend));
/** the argv the helper of that backend was started with */
const argvOf = (backend: string) => readFileSync(join(dir, backend), "utf8");
const opened: SampleSource[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((source) => source.close()));
  for (const backend of ["bpf", "drgn"]) rmSync(join(dir, backend), { force: true });
});

const target = (backend: TargetOptions["backend"]): TargetOptions => ({
  pid: PID,
  backend,
  intervalMs: 100,
  count: 1,
  smaps: false,
  ssh: defaultSshOptions(),
});

async function open(acts: { bpf: Act; drgn: Act }, backend: TargetOptions["backend"] = "auto") {
  const notices: string[] = [];
  const source = await openBackend(localTransport(), target(backend), false, (line) => notices.push(line), scriptedHelper(acts));
  opened.push(source);
  const lines: HelperLine[] = [];
  for await (const line of source) lines.push(line);
  return { source, notices, lines };
}

async function failure(acts: { bpf: Act; drgn: Act }, backend: TargetOptions["backend"] = "auto"): Promise<RssdriftError> {
  try {
    await open(acts, backend);
  } catch (err) {
    if (err instanceof RssdriftError) return err;
    throw err;
  }
  throw new Error("expected the source to fail");
}

const works = (backend: "bpf" | "drgn"): Act => ({ lines: [hello(backend), sample] });
const fails = (code: string, message: string, exit: number, hint?: string): Act => ({ lines: [error(code, message, hint)], exit });

describe("--backend auto", () => {
  it("uses bpf when it works, and never starts drgn", async () => {
    const { source, notices, lines } = await open({ bpf: works("bpf"), drgn: fails("internal", "must not run", 5) });
    expect(source.backend).toEqual({ requested: "auto", used: "bpf", skipped: [] });
    expect(lines.map((line) => line.type)).toEqual(["hello", "sample"]);
    expect(lines[0]).toMatchObject({ backend: "bpf", bpf: { per_cpu_offsets: "kallsyms" } });
    expect(notices).toEqual([]);
    expect(started("drgn")).toBe(false);
  });

  it("moves on to drgn when the kernel has no BTF, in one line that says why and how to fix it", async () => {
    const { source, notices, lines } = await open({
      bpf: fails("no-btf", "no /sys/kernel/btf/vmlinux on 6.18.0-test", 4),
      drgn: works("drgn"),
    });
    expect(source.backend?.used).toBe("drgn");
    expect(source.backend?.skipped).toEqual([
      {
        backend: "bpf",
        code: "no-btf",
        reason: "no /sys/kernel/btf/vmlinux on 6.18.0-test",
        hint: expect.stringContaining("CONFIG_DEBUG_INFO_BTF"),
      },
    ]);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/^bpf not used \(no-btf\): no \/sys\/kernel\/btf\/vmlinux on 6\.18\.0-test; fix: .*CONFIG_DEBUG_INFO_BTF/);
    expect(lines[0]).toMatchObject({ backend: "drgn" });
  });

  it("falls to the procfs estimate when bpf() is refused and drgn has no debug info, naming both blockers", async () => {
    const { source, notices, lines } = await open({
      bpf: fails("bpf-refused", "bpf(BPF_PROG_LOAD) failed: Operation not permitted", 4, "grant CAP_BPF and CAP_PERFMON"),
      drgn: fails("no-debug-info", "no vmlinux debug info for 6.18.0-test", 4, "apt install linux-image-6.18.0-test-dbg"),
    });
    expect(source.backend).toEqual({
      requested: "auto",
      used: "procfs",
      skipped: [
        {
          backend: "bpf",
          code: "bpf-refused",
          reason: "bpf(BPF_PROG_LOAD) failed: Operation not permitted",
          hint: "grant CAP_BPF and CAP_PERFMON",
        },
        {
          backend: "drgn",
          code: "no-debug-info",
          reason: "no vmlinux debug info for 6.18.0-test",
          hint: "apt install linux-image-6.18.0-test-dbg",
        },
      ],
    });
    expect(notices.slice(0, 2)).toEqual([
      "bpf not used (bpf-refused): bpf(BPF_PROG_LOAD) failed: Operation not permitted; fix: grant CAP_BPF and CAP_PERFMON",
      "drgn not used (no-debug-info): no vmlinux debug info for 6.18.0-test; fix: apt install linux-image-6.18.0-test-dbg",
    ]);
    expect(notices[2]).toMatch(/procfs estimate/);
    // a real reading of this process from /proc
    expect(lines[0]).toMatchObject({ type: "hello", backend: "procfs", target: { pid: PID } });
    expect(lines[1]).toMatchObject({ type: "sample", counters: null });
  });

  it("moves on when bpf's first read fails its own check after the hello line: no number from it is passed on", async () => {
    const { source, lines } = await open({
      bpf: { lines: [hello("bpf"), error("self-check-failed", "cpu 1: rq->cpu reads 0")], exit: 5 },
      drgn: works("drgn"),
    });
    expect(source.backend?.skipped.map((skip) => skip.code)).toEqual(["self-check-failed"]);
    expect(lines.map((line) => (line.type === "hello" ? line.backend : line.type))).toEqual(["drgn", "sample"]);
  });

  it("moves on past an unsupported architecture and an unsupported layout", async () => {
    const { source } = await open({
      bpf: fails("unsupported-arch", "the bpf reader does not know riscv64", 4),
      drgn: fails("unsupported-layout", "mm->rss_stat is struct foo", 5),
    });
    expect(source.backend?.used).toBe("procfs");
    expect(source.backend?.skipped.map((skip) => skip.code)).toEqual(["unsupported-arch", "unsupported-layout"]);
  });

  it("moves on when sudo -n refuses, from sudo's own words on stderr", async () => {
    const sudo: Act = { stderr: "sudo: a password is required\n", exit: 1 };
    const { source, notices } = await open({ bpf: sudo, drgn: sudo });
    expect(source.backend?.skipped.map((skip) => `${skip.backend} ${skip.code}`)).toEqual(["bpf sudo-password", "drgn sudo-password"]);
    expect(notices[0]).toMatch(/^bpf not used \(sudo-password\): .*; fix: .*NOPASSWD/);
  });

  it("not root and no sudo to be had: each kernel backend says so (no-sudo), not 'install python3'", async () => {
    // a real spawn of a sudo that is not there, whatever this machine has
    const local = localTransport();
    const noSudo = {
      ...local,
      start: (argv: string[]) => local.start(argv[0] === "sudo" ? ["/nonexistent/sudo", ...argv.slice(1)] : argv),
    };
    const notices: string[] = [];
    const source = await openBackend(
      noSudo,
      target("auto"),
      true,
      (line) => notices.push(line),
      scriptedHelper({ bpf: works("bpf"), drgn: works("drgn") }),
    );
    opened.push(source);
    expect(source.backend?.used).toBe("procfs");
    expect(source.backend?.skipped.map((skip) => `${skip.backend} ${skip.code}`)).toEqual(["bpf no-sudo", "drgn no-sudo"]);
    expect(notices[0]).toMatch(/^bpf not used \(no-sudo\): not root, and .*sudo.*; fix: run rssdrift as root, allow the helper with sudo/);
  });

  it("stops at once on a target error: the next backend would only say the same", async () => {
    const err = await failure({ bpf: fails("no-such-pid", "no process with pid 4242", 3), drgn: works("drgn") });
    expect(err.exitCode).toBe(EXIT.targetGone);
    expect(err.code).toBe("no-such-pid");
    expect(started("drgn")).toBe(false);
    for (const code of ["kernel-thread", "zombie", "target-exited"]) {
      const err = await failure({ bpf: fails(code, `pid 4242: ${code}`, code === "kernel-thread" ? 2 : 3), drgn: works("drgn") });
      expect(err.code).toBe(code);
    }
    expect(started("drgn")).toBe(false);
  });

  it("stops at once on a helper bug, rather than hiding it behind the next backend", async () => {
    const err = await failure({ bpf: fails("internal", "KeyError: 'rss_stat'", 5), drgn: works("drgn") });
    expect(err.exitCode).toBe(EXIT.helperFailure);
    expect(started("drgn")).toBe(false);
  });
});

describe("--backend bpf and --backend drgn", () => {
  it("bpf passes --backend bpf to the helper, and a failure stands: no fallback when the user chose", async () => {
    const err = await failure({ bpf: fails("no-btf", "no BTF", 4), drgn: works("drgn") }, "bpf");
    expect(err.exitCode).toBe(EXIT.missingPrerequisite);
    expect(err.code).toBe("no-btf");
    expect(argvOf("bpf")).toBe(`--pid ${PID} --interval 100 --control --heartbeat 30 --backend bpf --count 1`);
    expect(started("drgn")).toBe(false);
  });

  it("drgn starts the helper without --backend (its default), so a helper of either age understands it", async () => {
    const { source, lines } = await open({ bpf: fails("internal", "must not run", 5), drgn: works("drgn") }, "drgn");
    expect(source.backend).toEqual({ requested: "drgn", used: "drgn", skipped: [] });
    expect(lines[0]).toMatchObject({ backend: "drgn" });
    expect(argvOf("drgn")).toBe(`--pid ${PID} --interval 100 --control --heartbeat 30 --count 1`);
    expect(started("bpf")).toBe(false);
  });

  it("bpf reads its samples when it works", async () => {
    const { source, lines } = await open({ bpf: works("bpf"), drgn: works("drgn") }, "bpf");
    expect(source.backend).toEqual({ requested: "bpf", used: "bpf", skipped: [] });
    expect(source.origin).toBe("bpf helper on this machine");
    expect(lines.map((line) => line.type)).toEqual(["hello", "sample"]);
  });
});
