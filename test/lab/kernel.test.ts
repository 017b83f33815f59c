// The core product end to end on real kernels: the real CLI (`node dist/cli/rssdrift.js … --json
// --host ALIAS -F LAB_SSH_CONFIG`) over ssh2 into the guest's OpenSSH, the real helper under real
// drgn reading a real mm->rss_stat, on both eras: trixie (6.12, per-CPU counters, drgn 0.0.31)
// and bookworm (6.1, split RSS with per-thread caches, drgn 0.0.22).
//
// The targets are scripts/drift-target processes in the guest, paused after faulting on chosen
// CPUs, so every read of them is stable. Expected values come from the guest itself (its online
// CPUs, the target's thread ids and pins, smaps_rollup) or from the ready line, never from the
// code under test; the analysis fields are checked against the raw counters of the same report.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../../src/errors.js";
import type { JsonReport } from "../../src/report/json.js";
import { COUNTER_NAMES, RSS_COUNTERS, type SampleLine } from "../../src/schema/helper-line.js";
import { copyDriftTarget, GUEST_DRIFT_TARGET, removeDriftTarget, startDriftTarget, type GuestDriftTarget } from "./guest-drift-target.js";
import { guestOnlineCpus, inGuest, inGuestOk, useLabVm, type LabSuite } from "./lab-vm.js";
import { runCli, spawnCli, stderrLines, type CliRun } from "./run-cli.js";

/** the CPUs the shared target faults on, and the one the seed scenario uses (the VMs have 4) */
const PINNED_CPUS = [1, 3];
const SEED_CPU = 2;
/** the seed scenario of docs/how-rss-is-counted.md: 1 MiB anonymous, 256 pages of 4 KiB */
const SEED_BYTES = 1 << 20;
const SEED_PAGES = 256;

/**
 * How far the exact MM_ANONPAGES may be from smaps_rollup's Anonymous (a page-table walk). The
 * target is paused and THP is off for it, the helper only reads, and neither the helper's own
 * memory nor page-table pages are in either number, so the two should agree; the allowance is
 * for the two reads not being one atomic snapshot (the walk runs after drgn's read, and the
 * kernel may still settle something in the mm between them, e.g. a deferred LRU drain), so a
 * few pages.
 */
const ANON_VS_SMAPS_JITTER_PAGES = 4;

/** new targets to try, with these page counts, when a read shows no drift to classify readers by */
const RETRY_PAGE_COUNTS = [117, 133, 151];

const suites = [
  { suite: "trixie", era: "percpu", slotKind: "cpu" },
  { suite: "bookworm", era: "split-rss", slotKind: "thread" },
] as const satisfies readonly { suite: LabSuite; era: string; slotKind: string }[];

type Verdict = "cached" | "exact" | "both" | "neither";

/** Which value a reader's figure matched, decided here from the raw numbers. */
function classify(pages: number, cached: number, exact: number): Verdict {
  if (pages === cached && pages === exact) return "both";
  if (pages === cached) return "cached";
  if (pages === exact) return "exact";
  return "neither";
}

/** VmRSS from the raw counters: cached as get_mm_rss() sums them, exact with each counter clamped at 0 */
function rssOf(sample: SampleLine): { cached: number; exact: number } {
  const counters = sample.counters!;
  let cached = 0;
  let exact = 0;
  for (const name of RSS_COUNTERS) {
    cached += counters[name].cached;
    exact += Math.max(0, counters[name].exact);
  }
  return { cached, exact };
}

function kbToPages(kb: number, pageSize: number): number {
  expect((kb * 1024) % pageSize, `${kb} kB is a whole number of pages`).toBe(0);
  return (kb * 1024) / pageSize;
}

/** A failure as users meet it: nothing on stdout, one error line last on stderr, only rssdrift's own lines before it (no stack, no traceback). */
function expectOneLineError(run: CliRun, exitCode: number, line: RegExp): void {
  const lines = stderrLines(run);
  expect({ code: run.code, stdout: run.stdout }, run.stderr).toEqual({ code: exitCode, stdout: "" });
  expect(lines.at(-1)).toMatch(line);
  expect(lines.filter((text) => line.test(text))).toHaveLength(1);
  expect(lines.filter((text) => !text.startsWith("rssdrift: "))).toEqual([]);
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe.each(suites)("rssdrift on the $suite lab VM: real kernel, real drgn, the real CLI over SSH", ({ suite, era, slotKind }) => {
  const targets: GuestDriftTarget[] = [];
  const env = useLabVm(suite, {
    afterBoot: async () => {
      const online = await guestOnlineCpus(suite);
      for (const cpu of [...PINNED_CPUS, SEED_CPU]) {
        if (!online.includes(cpu))
          throw new Error(`the ${suite} VM has CPUs ${online.join(",")}; these tests need 0-3 (lab up ${suite} --cpus 4)`);
      }
      await copyDriftTarget(suite);
    },
    beforeDown: async () => {
      await Promise.all(targets.map((target) => target.stop()));
      await removeDriftTarget(suite);
    },
  });
  const hostArgs = () => ["--host", env().LAB_SSH_HOST!, "-F", env().LAB_SSH_CONFIG!];
  const cli = (args: string[]) => runCli([...args, ...hostArgs()]);

  async function startTarget(args: string[]): Promise<GuestDriftTarget> {
    const target = await startDriftTarget(suite, args);
    targets.push(target);
    return target;
  }

  /** One `rssdrift PID --json --backend drgn` report; fails with the CLI's stderr unless it exits 0. */
  async function report(pid: number, more: string[] = []): Promise<JsonReport> {
    const run = await cli([String(pid), "--json", "--backend", "drgn", ...more]); // the reference the bpf path is held against
    expect(run.code, run.stderr).toBe(EXIT.ok);
    return JSON.parse(run.stdout) as JsonReport;
  }

  /** The target's threads (`ls /proc/PID/task` in the guest) and the CPUs each may run on. */
  async function threadsOf(pid: number): Promise<Map<number, string>> {
    const script = 'cd "/proc/$1/task" && for tid in $(ls); do echo "$tid $(sed -n "s/^Cpus_allowed_list:\\s*//p" "$tid/status")"; done';
    const text = await inGuestOk(suite, ["sh", "-c", script, "sh", String(pid)]);
    return new Map(
      text
        .trim()
        .split("\n")
        .map((line) => line.split(" "))
        .map(([tid, cpus]) => [Number(tid), cpus!]),
    );
  }

  // The shared target: one thread per CPU in PINNED_CPUS, pinned there, 100 pages each, paused.
  let pinned: GuestDriftTarget;
  let pinnedThreads: Map<number, string>;
  let pinnedReport: JsonReport;
  beforeAll(async () => {
    pinned = await startTarget(["--cpus", PINNED_CPUS.join(","), "--pages", "100"]);
    pinnedThreads = await threadsOf(pinned.pid);
    pinnedReport = await report(pinned.pid, ["--smaps"]);
    if (process.env.RSSDRIFT_LAB_REPORT_DIR) {
      writeFileSync(join(process.env.RSSDRIFT_LAB_REPORT_DIR, `kernel-${suite}-pinned.json`), `${JSON.stringify(pinnedReport, null, 2)}\n`);
    }
  });

  it(`reads the ${era} era with the guest's drgn, and for every counter cached + Σ residue == exact`, () => {
    const { hello, sample } = pinnedReport;
    expect(hello).toMatchObject({ backend: "drgn", era, slot_kind: slotKind, kernel: env().LAB_KERNEL, target: { pid: pinned.pid } });
    expect(hello.drgn).toBe(env().LAB_DRGN!.replace(/-\d+$/, ""));
    for (const name of COUNTER_NAMES) {
      const { count, cached, exact, residue } = sample.counters![name];
      const parked = residue.reduce((sum, slot) => sum + slot.pages, 0);
      // get_mm_counter() clamps a negative count to 0; the sum starts from the raw count
      expect({ name, sum: (count >= 0 ? cached : count) + parked }).toEqual({ name, sum: exact });
    }
    // the analysis says the same per counter
    for (const counter of pinnedReport.analysis.counters!) {
      const reading = sample.counters![counter.name];
      expect({ name: counter.name, drift: counter.driftPages }).toEqual({ name: counter.name, drift: reading.exact - reading.cached });
    }
  });

  it(`the exact ANON count matches smaps_rollup's Anonymous within ${ANON_VS_SMAPS_JITTER_PAGES} pages`, () => {
    const { hello, sample } = pinnedReport;
    const anonymous = kbToPages(sample.proc.smaps_rollup!.Anonymous, hello.page_size);
    const exact = sample.counters!.anon.exact;
    console.log(
      `${suite}: exact MM_ANONPAGES ${exact}, smaps_rollup Anonymous ${anonymous} pages (cached ${sample.counters!.anon.cached})`,
    );
    expect(Math.abs(exact - anonymous)).toBeLessThanOrEqual(ANON_VS_SMAPS_JITTER_PAGES);
  });

  if (era === "percpu") {
    it(`keeps ANON residue only in the slots of CPUs ${PINNED_CPUS.join(" and ")}, where the target faulted`, async () => {
      const { sample, analysis } = pinnedReport;
      const anon = sample.counters!.anon;
      expect(anon.residue.map((slot) => slot.slot)).toEqual(await guestOnlineCpus(suite)); // one slot per online CPU
      const holding = anon.residue.filter((slot) => slot.pages !== 0).map((slot) => slot.slot);
      expect(
        holding.filter((cpu) => !PINNED_CPUS.includes(cpu)),
        JSON.stringify(anon.residue),
      ).toEqual([]);
      expect(holding.length).toBeGreaterThan(0);
      const ranked = analysis.counters!.find((counter) => counter.name === "anon")!.residue;
      expect(ranked.map((slot) => [slot.kind, slot.slot]).sort()).toEqual(holding.map((cpu) => ["cpu", cpu]).sort());
    });
  } else {
    it("keys residue by the target's thread ids, and a thread pinned to one CPU holds some", () => {
      const { sample, analysis } = pinnedReport;
      const tids = [...pinnedThreads.keys()].sort((a, b) => a - b);
      // the pinned workers: one per CPU in PINNED_CPUS, each allowed on that CPU alone
      const workers = tids.filter((tid) => PINNED_CPUS.map(String).includes(pinnedThreads.get(tid)!));
      expect(workers).toHaveLength(PINNED_CPUS.length);
      for (const name of COUNTER_NAMES) {
        expect({ name, slots: sample.counters![name].residue.map((slot) => slot.slot).sort((a, b) => a - b) }).toEqual({
          name,
          slots: tids,
        });
      }
      const anon = sample.counters!.anon.residue;
      expect(anon.filter((slot) => workers.includes(slot.slot) && slot.pages !== 0).length, JSON.stringify(anon)).toBeGreaterThan(0);
      const ranked = analysis.counters!.find((counter) => counter.name === "anon")!.residue;
      expect(ranked.every((slot) => slot.kind === "thread" && tids.includes(slot.slot))).toBe(true);
    });
  }

  it(`the seed scenario (--seed --cpu ${SEED_CPU}): 1 MiB touched, and the cached ANON count is short by exactly the residue of that ${slotKind}`, async () => {
    let seen: { report: JsonReport; seedSlot: number; drift: number } | undefined;
    // a slot can hold 0 by chance (the faults ended on a flush): then the equality says nothing, so try again
    for (let attempt = 0; attempt < 3 && !seen?.drift; attempt++) {
      const target = await startTarget(["--seed", "--cpu", String(SEED_CPU)]);
      try {
        expect(target.ready).toMatchObject({
          mode: "seed",
          cpus: [SEED_CPU],
          page_size: 4096,
          pages_per_cpu: SEED_PAGES,
          bytes_touched: SEED_BYTES,
        });
        const threads = await threadsOf(target.pid);
        expect([...threads.values()]).toEqual([String(SEED_CPU)]); // seed mode: the main thread alone, pinned
        const seedSlot = era === "percpu" ? SEED_CPU : target.pid;
        const seedReport = await report(target.pid);
        const anon = seedReport.sample.counters!.anon;
        seen = { report: seedReport, seedSlot, drift: anon.exact - anon.cached };
      } finally {
        await target.stop();
      }
    }
    const { report: seedReport, seedSlot, drift } = seen!;
    const anon = seedReport.sample.counters!.anon;
    const onSeedSlot = anon.residue.find((slot) => slot.slot === seedSlot)!.pages;
    console.log(`${suite} seed: anon cached ${anon.cached}, exact ${anon.exact}, ${onSeedSlot} pages on ${slotKind} ${seedSlot}`);
    expect(drift).not.toBe(0);
    expect(drift).toBe(onSeedSlot);
    expect(anon.residue.filter((slot) => slot.slot !== seedSlot && slot.pages !== 0)).toEqual([]);
    // and the analysis says so, in its fields
    const analysed = seedReport.analysis.counters!.find((counter) => counter.name === "anon")!;
    expect(analysed).toMatchObject({
      kernelName: "MM_ANONPAGES",
      cached: anon.cached,
      exact: anon.exact,
      driftPages: onSeedSlot,
      driftBytes: onSeedSlot * 4096,
    });
    expect(analysed.residue.map(({ slot, kind, pages, bytes }) => ({ slot, kind, pages, bytes }))).toEqual([
      { slot: seedSlot, kind: slotKind, pages: onSeedSlot, bytes: onSeedSlot * 4096 },
    ]);
  });

  it("who sees what: each /proc reader is classified as the value it measurably showed", async () => {
    // a paused target's read does not change; a new target (other page counts) can show drift where this one does not
    let current = pinnedReport;
    for (const pages of RETRY_PAGE_COUNTS) {
      const { cached, exact } = rssOf(current.sample);
      if (cached !== exact) break;
      const target = await startTarget(["--cpus", PINNED_CPUS.join(","), "--pages", String(pages)]);
      try {
        current = await report(target.pid);
      } finally {
        await target.stop();
      }
    }
    const { sample, analysis, hello } = current;
    const rss = rssOf(sample);
    expect(rss.cached, "some drift to tell cached from exact by").not.toBe(rss.exact);
    const readers = Object.fromEntries(analysis.readers.map((reader) => [reader.reader, reader]));
    const shown = {
      stat: sample.proc.stat_rss,
      statm: sample.proc.statm.resident,
      status: kbToPages(sample.proc.status.VmRSS, hello.page_size),
    };
    const measured = Object.fromEntries(Object.entries(shown).map(([reader, pages]) => [reader, classify(pages, rss.cached, rss.exact)]));
    console.log(
      `${suite} (${hello.kernel}): RSS cached ${rss.cached}, exact ${rss.exact}; stat ${shown.stat}, statm ${shown.statm}, status ${shown.status} → ${JSON.stringify(measured)}`,
    );
    // /proc/PID/stat field 24 is get_mm_rss(), the cached sum, on every kernel
    expect(measured.stat).toBe("cached");
    expect(readers.stat!.verdict).toBe("cached");
    for (const reader of ["statm", "status"] as const) {
      expect({ reader, verdict: readers[reader]!.verdict, pages: readers[reader]!.pages }).toEqual({
        reader,
        verdict: measured[reader],
        pages: shown[reader],
      });
    }
    if (era === "split-rss") {
      // before 6.2 statm's resident is get_mm_counter()'s sum: it lags behind the threads' caches
      expect(shown.statm).toBe(rss.cached);
    }
  });

  it("a pid that does not exist: one line, exit 3", async () => {
    const script = 'm=$(cat /proc/sys/kernel/pid_max); p=$((m - 1)); while [ -e "/proc/$p" ]; do p=$((p - 1)); done; echo "$p"';
    const pid = Number((await inGuestOk(suite, ["sh", "-c", script])).trim());
    expect(pid).toBeGreaterThan(2);
    const run = await cli([String(pid), "--json"]);
    expectOneLineError(run, EXIT.targetGone, new RegExp(`^rssdrift: no process with pid ${pid}$`));
  });

  it("pid 2 (kthreadd, a kernel thread): one line, exit 2", async () => {
    const run = await cli(["2", "--json"]);
    expectOneLineError(run, EXIT.badInput, /^rssdrift: pid 2 \(kthreadd\) is a kernel thread: it has no user memory$/);
  });

  it("watch --json: a target killed mid-watch ends it with one line and exit 3", async () => {
    const target = await startTarget(["--cpus", String(PINNED_CPUS[0]), "--pages", "10"]);
    const watch = spawnCli(["watch", String(target.pid), ...hostArgs(), "--json", "--interval", "200"]);
    watch.stdin.end();
    let stderr = "";
    watch.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => watch.once("close", resolve));
    try {
      const samples: JsonReport[] = [];
      let killed = false;
      for await (const line of createInterface({ input: watch.stdout })) {
        samples.push(JSON.parse(line) as JsonReport);
        if (!killed && samples.length === 2) {
          killed = true;
          await inGuestOk(suite, ["kill", "-KILL", String(target.pid)]);
        }
      }
      const code = await exited;
      expect(killed, `watch ended before its second sample: ${stderr}`).toBe(true);
      expect(samples.every((s) => s.hello.target.pid === target.pid && s.sample.type === "sample" && s.analysis.era === era)).toBe(true);
      expectOneLineError({ code, stdout: "", stderr }, EXIT.targetGone, new RegExp(`^rssdrift: pid ${target.pid} has exited$`));
    } finally {
      watch.kill();
      await target.stop();
    }
  });

  it("without the kernel's debug file: --backend drgn exits 4 with the install hint; auto needs none with bpf, else falls back and says why", async () => {
    const kernel = env().LAB_KERNEL!;
    const debugFile = `/usr/lib/debug/boot/vmlinux-${kernel}`;
    const aside = `/usr/lib/debug/boot/.rssdrift-kernel-test-aside-vmlinux-${kernel}`;
    const hint = `apt install linux-image-${kernel}-dbg`;
    let drgnRun: CliRun;
    let autoRun: CliRun;
    // the VM may be shared: the file is away only for these two runs, and put back whatever happens
    await inGuestOk(suite, ["mv", debugFile, aside]);
    try {
      drgnRun = await cli([String(pinned.pid), "--json", "--backend", "drgn"]);
      autoRun = await cli([String(pinned.pid), "--json"]);
    } finally {
      await inGuestOk(suite, ["mv", aside, debugFile]);
    }
    expect((await inGuest(suite, ["test", "-f", debugFile])).code).toBe(0);

    expectOneLineError(
      drgnRun,
      EXIT.missingPrerequisite,
      new RegExp(`^rssdrift: no debug info for kernel ${escapeRegExp(kernel)} .*\\(fix: .*${escapeRegExp(hint)}.*\\)$`),
    );

    expect(autoRun.code, autoRun.stderr).toBe(EXIT.ok);
    const report = JSON.parse(autoRun.stdout) as JsonReport;
    if (report.backend.used === "bpf") {
      // bpf needs no debug info: auto reads the real counters and skips nothing
      expect(report.backend.skipped).toEqual([]);
      expect(report.hello).toMatchObject({ backend: "bpf", era, target: { pid: pinned.pid } });
      return;
    }
    // bpf could not run on this kernel: both reasons, one line each, then the estimate
    const notices = stderrLines(autoRun);
    expect(notices).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^rssdrift: bpf not used \(/),
        expect.stringMatching(
          new RegExp(
            `^rssdrift: drgn not used \\(no-debug-info\\): no debug info for kernel ${escapeRegExp(kernel)}.*; fix: .*${escapeRegExp(hint)}.*$`,
          ),
        ),
        expect.stringMatching(/^rssdrift: using the procfs estimate/),
      ]),
    );
    expect(report.backend.skipped.map((skip) => skip.backend)).toEqual(["bpf", "drgn"]);
    expect(report.hello).toMatchObject({ backend: "procfs", target: { pid: pinned.pid } });
    // no types to look at: the era is guessed from the release string, and matches what drgn saw
    expect(report.analysis).toMatchObject({ backend: "procfs", estimate: true, counters: null, era, eraSource: "version" });
    expect(report.sample.counters).toBeNull();
  });

  it("leaves no target and no helper behind in the guest", async () => {
    const pids = targets.map((target) => target.pid);
    await Promise.all(targets.map((target) => target.stop()));
    const ours = async () =>
      (await inGuestOk(suite, ["ps", "-eww", "-o", "pid,args"]))
        .split("\n")
        .filter((line) => line.includes(GUEST_DRIFT_TARGET) || pids.some((pid) => line.includes(`--pid ${pid} `)));
    // a helper ends just after its CLI: poll (vitest's timeout bounds it), then assert
    for (let left = await ours(); left.length > 0; left = await ours()) await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await ours()).toEqual([]);
  });
});
