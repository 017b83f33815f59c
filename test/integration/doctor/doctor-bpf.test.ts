// Doctor's bpf round trip over a real local child process: a scripted helper stands in for
// helpers/rss_stat.py and answers `--backend bpf --pid self --count 1` with a hello line or an
// error line; each error code must land on the check it names, with the helper's own fix.
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type CheckResult, ok } from "../../../src/doctor/check.js";
import { checkBpf } from "../../../src/doctor/check-bpf.js";
import { localTransport } from "../../../src/transports/local-transport.js";

const hasBtf = existsSync("/sys/kernel/btf/vmlinux");
const PY = { command: "python3", present: true };
const lockdownNone = ok("lockdown", "[none]: nothing is locked down");

const hello = {
  type: "hello", protocol: 1, backend: "bpf", kernel: "6.18.0-test", drgn: null, page_size: 4096,
  cpus: { online: [0, 1], possible: [0, 1] }, batch: 32, era: "percpu", era_source: "type",
  layout: "struct percpu_counter [4]", slot_kind: "cpu", fault_around_pages: 16,
  target: { pid: 99, comm: "python3", start_time: 1, threads: 1 }, interval_ms: 1000, smaps: false,
  bpf: { per_cpu_offsets: "runqueues", insns: 321, btf_ms: 48.5, load_ms: 1.5 },
};
const counter = { count: 1, cached: 1, exact: 1, residue: [{ slot: 0, pages: 0 }, { slot: 1, pages: 0 }] };
const sample = {
  type: "sample", seq: 0, mono_ms: 5, threads: 1,
  counters: { file: counter, anon: counter, shmem: counter, swap: counter },
  proc: { statm: { size: 1, resident: 3, shared: 1 }, status: { VmRSS: 12, RssAnon: 4, RssFile: 4, RssShmem: 4, VmSwap: 0, VmHWM: 12 }, stat_rss: 3, smaps_rollup: null },
  read_us: 12,
};

/** Answers only the exact round trip doctor must ask for; anything else is a bad-args error line. */
function helper(lines: unknown[], exit = 0): Buffer {
  return Buffer.from(
    [
      "import json, sys",
      "a = sys.argv[1:]",
      "if a[a.index('--pid') + 1] != 'self' or a[a.index('--backend') + 1] != 'bpf' or a[a.index('--count') + 1] != '1':",
      "    print(json.dumps({'type': 'error', 'code': 'bad-args', 'message': 'unexpected argv: ' + ' '.join(a)}))",
      "    sys.exit(2)",
      `for line in json.loads(${JSON.stringify(JSON.stringify(lines))}): print(json.dumps(line), flush=True)`,
      `sys.exit(${exit})`,
    ].join("\n") + "\n",
  );
}
const error = (code: string, message: string, hint?: string) => [{ type: "error", code, message, ...(hint ? { hint } : {}) }];
const byName = (results: CheckResult[]) => Object.fromEntries(results.map((result) => [result.check, result]));

describe("doctor's bpf round trip", () => {
  it("shows the per-CPU offsets method, the era and the cost from the helper's hello", async () => {
    const { results, works } = await checkBpf(localTransport(), "root", PY, lockdownNone, undefined, helper([hello, sample]));
    expect(works).toBe(true);
    expect(byName(results)["bpf()"]).toEqual({
      check: "bpf()",
      status: "ok",
      detail:
        "works: read its own counters with a BPF program; per-CPU offsets from the runqueues (derived); era percpu " +
        "(from mm_struct's types: mm->rss_stat is struct percpu_counter [4]; batch 32, 2 online CPUs; bpf); " +
        "321 instructions, BTF read in 48.5 ms, loaded in 1.5 ms",
    });
  });

  it.skipIf(!hasBtf)("turns the helper's no-btf into a failed BTF check, though the file test passed", async () => {
    const { results, works } = await checkBpf(localTransport(), "root", PY, lockdownNone, undefined, helper(error("no-btf", "BTF has no struct mm_struct"), 4));
    expect(works).toBe(false);
    const checks = byName(results);
    expect(checks.BTF).toMatchObject({ status: "fail", detail: "the bpf reader says (no-btf): BTF has no struct mm_struct", fix: expect.stringContaining("CONFIG_DEBUG_INFO_BTF") });
    expect(checks["bpf()"]).toMatchObject({ status: "fail", detail: "refused (no-btf): see BTF" });
  });

  it("turns the helper's lockdown into a failed lockdown check, with the helper's fix", async () => {
    const { lockdown, results } = await checkBpf(
      localTransport(), "root", PY, lockdownNone, undefined,
      helper(error("lockdown", "bpf_probe_read_kernel: lockdown=confidentiality", "boot without lockdown=confidentiality"), 4),
    );
    expect(lockdown).toEqual({ check: "lockdown", status: "fail", detail: "the bpf reader says (lockdown): bpf_probe_read_kernel: lockdown=confidentiality", fix: "boot without lockdown=confidentiality" });
    expect(byName(results)["bpf()"]).toMatchObject({ status: "fail", detail: "refused (lockdown): see lockdown" });
  });

  it("keeps a refused bpf() and a failed self-check on the bpf() line, each with its fix", async () => {
    const refused = await checkBpf(localTransport(), "root", PY, lockdownNone, undefined, helper(error("bpf-refused", "bpf(BPF_PROG_LOAD): EPERM (seccomp?)"), 4));
    expect(byName(refused.results)["bpf()"]).toMatchObject({
      status: "fail",
      detail: "the helper's bpf reader failed (bpf-refused): bpf(BPF_PROG_LOAD): EPERM (seccomp?)",
      fix: expect.stringMatching(/CAP_BPF and CAP_PERFMON/),
    });
    const selfCheck = await checkBpf(localTransport(), "root", PY, lockdownNone, undefined, helper([hello, ...error("self-check-failed", "cpu 1: rq->cpu is 0")], 5));
    expect(selfCheck.works).toBe(false);
    expect(byName(selfCheck.results)["bpf()"]).toMatchObject({ status: "fail", detail: expect.stringContaining("(self-check-failed): cpu 1: rq->cpu is 0") });
  });

  it("does not start the helper without root or python3", async () => {
    const none = await checkBpf(localTransport(), "none", PY, lockdownNone, undefined, helper([hello, sample]));
    expect(byName(none.results)["bpf()"]!.status).toBe("skipped");
    expect(byName(none.results).capabilities).toMatchObject({ status: "fail", fix: expect.stringContaining("--cap-add BPF --cap-add PERFMON") });
    const noPython = await checkBpf(localTransport(), "root", { command: "python3", present: false }, lockdownNone, undefined, helper([hello, sample]));
    expect(byName(noPython.results)["bpf()"]!.status).toBe("skipped");
  });
});
