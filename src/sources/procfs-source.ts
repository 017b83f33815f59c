// The no-drgn backend: an estimate of the drift from /proc alone, for machines without root,
// drgn or /proc/kcore. /proc/PID/stat rss is always the cached sum; smaps_rollup walks the page
// tables, so it is the truth. Their difference estimates the drift; nothing here sees the slots.
import { percpuBatch } from "../analysis/bound.js";
import { eraFromRelease } from "../analysis/era-guess.js";
import { EXIT, RssdriftError, helperError } from "../errors.js";
import type { HelloLine, HelperLine, ProcReadings, SampleLine } from "../schema/helper-line.js";
import { parseHelperLine } from "../schema/validate-line.js";
import { runCommand } from "../transports/run-command.js";
import type { Transport } from "../transports/transport.js";
import {
  PF_KTHREAD,
  parseCpuList,
  parseSmapsRollup,
  parseStat,
  parseStatm,
  parseStatus,
  parseStatusTgid,
  type ProcStat,
} from "./proc-files.js";
import type { SampleSource } from "./sample-source.js";
import { createTicker } from "./ticker.js";

/**
 * cat each file through the transport, each followed by NUL, its status ("ok" or "missing") and
 * NUL. The delimiter is one no file read here can hold: a process name is a C string, so a comm
 * with newlines or a forged status line cannot end a file early or add one.
 */
const READ_FILES_SCRIPT =
  'for f do if cat -- "$f" 2>/dev/null; then printf "\\0ok\\0"; else printf "\\0missing\\0"; fi; done';

export async function readFiles(transport: Transport, paths: readonly string[]): Promise<(string | null)[]> {
  const { stdout } = await runCommand(transport, ["sh", "-c", READ_FILES_SCRIPT, "sh", ...paths]);
  // content, status, content, status, …, "" after the last NUL
  const parts = stdout.split("\0");
  const statuses = parts.filter((_, i) => i % 2 === 1);
  if (parts.length !== 2 * paths.length + 1 || parts.at(-1) !== "" || statuses.some((s) => s !== "ok" && s !== "missing")) {
    throw new RssdriftError(`could not read /proc on ${transport.where}`, EXIT.helperFailure, undefined, "procfs-read");
  }
  return paths.map((_, i) => (statuses[i] === "ok" ? parts[2 * i]! : null));
}

async function pageSizeOf(transport: Transport): Promise<number> {
  const out = (await runCommand(transport, ["getconf", "PAGESIZE"])).stdout;
  const size = Number(out.trim());
  if (!Number.isInteger(size) || size < 4096) {
    throw new RssdriftError(`getconf PAGESIZE on ${transport.where} said ${JSON.stringify(out.trim())}`, EXIT.helperFailure);
  }
  return size;
}

function checkTarget(pid: number, stat: ProcStat | null): ProcStat {
  if (stat === null) throw helperError("no-such-pid", `no process with pid ${pid}`);
  if (stat.flags & PF_KTHREAD) {
    throw helperError("kernel-thread", `pid ${pid} (${stat.comm}) is a kernel thread: it has no user memory to count`);
  }
  if (stat.state === "Z") throw helperError("zombie", `pid ${pid} (${stat.comm}) is a zombie: its memory is already gone`);
  return stat;
}

/**
 * Why a /proc file of the target could not be read, found out only when it happens: whether the
 * target is still there, whether this kernel has the file at all, and who we are there (root is
 * not always enough). stat is world-readable; smaps_rollup needs ptrace read access to the
 * target, which its owner and root normally have.
 */
async function unreadable(transport: Transport, pid: number, file: string): Promise<RssdriftError> {
  const path = `/proc/${pid}/${file}`;
  const script = 'id -u; test -e "/proc/self/$2" && echo kernel-has-it; test -e "/proc/$1/stat" && echo alive; exit 0';
  const { stdout } = await runCommand(transport, ["sh", "-c", script, "sh", String(pid), file]);
  const [uid, ...facts] = stdout.split("\n");
  const on = `${path} on ${transport.where}`;
  if (!facts.includes("alive")) return helperError("target-exited", `pid ${pid} exited`);
  if (!facts.includes("kernel-has-it")) {
    return helperError("not-root", `cannot read ${on}: this kernel does not have it (smaps_rollup came in Linux 4.14)`, "use --backend drgn");
  }
  if (uid?.trim() !== "0") {
    return helperError("not-root", `cannot read ${on}: the process belongs to another user`, "run rssdrift as root or as the process's owner");
  }
  return helperError(
    "not-root",
    `cannot read ${on} even as root`,
    "root was refused ptrace read access: an LSM (SELinux, AppArmor), a container without CAP_SYS_PTRACE, or a pid from another user namespace",
  );
}

/** The files one round reads; smaps_rollup last, since its page-table walk takes the longest. */
const SAMPLE_FILES = ["stat", "statm", "status", "smaps_rollup"] as const;
/** Rounds of reads a sample may take before its estimate is withheld as unstable. */
const MAX_ROUNDS = 5;

/** at most this many threads' states are read; a process with more gets no estimate */
const MAX_THREADS = 1024;
/**
 * Thread states in which a thread cannot be half way through mapping or unmapping pages: asleep
 * (S), stopped (T, t), or dead (Z, X). A running or runnable one (R) may have been preempted
 * between clearing page-table entries and counting them, and one in D may be inside a fault;
 * then smaps_rollup and the counters disagree by far more than the drift, even while still.
 */
const STILL_STATES = new Set(["S", "T", "t", "Z", "X"]);

interface ProcfsRound {
  threads: number;
  /** minor and major faults when the round began: any page the process mapped in between counts */
  faults: [number, number];
  /** every thread read was in a STILL_STATES state */
  still: boolean;
  proc: ProcReadings;
}

/**
 * Two rounds agree when every RSS figure (the estimate's and the readers' inputs) is the same,
 * the process took no page fault from the first round's start to the second's, and every thread
 * was still in both. The fault counts only grow, so a process whose RSS went up and back down to
 * the same figures between the reads (an allocator in a loop, in step with the rounds) cannot pass
 * for a still one.
 */
function agree(a: ProcfsRound, b: ProcfsRound): boolean {
  const figures = ({ threads, faults, proc }: ProcfsRound) =>
    JSON.stringify([threads, faults, proc.stat_rss, proc.statm.resident, proc.statm.shared, proc.status, proc.smaps_rollup]);
  return a.still && b.still && figures(a) === figures(b);
}

export interface ProcfsOptions {
  pid: number;
  intervalMs: number;
  count?: number;
}

export async function openProcfsSource(transport: Transport, options: ProcfsOptions): Promise<SampleSource> {
  const { pid } = options;
  const dir = `/proc/${pid}`;
  const ticker = createTicker(options.intervalMs);
  let closed = false;

  async function hello(): Promise<{ line: HelloLine; startTime: number }> {
    const [release, online, possible, statText, status] = await readFiles(transport, [
      "/proc/sys/kernel/osrelease",
      "/sys/devices/system/cpu/online",
      "/sys/devices/system/cpu/possible",
      `${dir}/stat`,
      `${dir}/status`,
    ]);
    const stat = checkTarget(pid, statText == null ? null : parseStat(statText));
    // /proc/TID is there for every thread, though not listed: refuse a thread id as the helper does
    const tgid = status == null ? null : parseStatusTgid(status);
    if (tgid !== null && tgid !== pid) {
      throw helperError("bad-args", `pid ${pid} is a thread of process ${tgid}`, `give the process's pid: rssdrift ${tgid}`);
    }
    const kernel = (release ?? "unknown").trim();
    const era = eraFromRelease(kernel);
    const onlineCpus = parseCpuList(online ?? "0");
    const line: HelloLine = {
      type: "hello",
      protocol: 1,
      backend: "procfs",
      kernel,
      drgn: null,
      page_size: await pageSizeOf(transport),
      cpus: { online: onlineCpus, possible: parseCpuList(possible ?? online ?? "0") },
      batch: era === "percpu" ? percpuBatch(onlineCpus.length) : null,
      era,
      era_source: "version",
      layout: "",
      slot_kind: "none",
      fault_around_pages: null,
      target: { pid, comm: stat.comm, start_time: stat.startTime, threads: stat.threads },
      interval_ms: options.intervalMs,
      smaps: true,
    };
    return { line, startTime: stat.startTime };
  }

  /** One reading of the four files, checked: the target is still the same live process we can read. */
  function roundOf(
    [statText, statm, status, smaps, ...threadStats]: (string | null | undefined)[],
    startTime: number,
  ): ProcfsRound | { unreadable: string } {
    if (statText == null) throw helperError("target-exited", `pid ${pid} exited`);
    const stat = checkTarget(pid, parseStat(statText));
    const missing = [statm, status, smaps].findIndex((text) => text == null);
    if (missing >= 0) return { unreadable: SAMPLE_FILES[missing + 1]! };
    if (stat.startTime !== startTime) {
      throw helperError("pid-reused", `pid ${pid} now belongs to another process (${stat.comm}); the target exited`);
    }
    // a thread that is gone (null) changed the process too
    const states = [stat.state, ...threadStats.map((text) => (text == null ? "gone" : parseStat(text).state))];
    return {
      threads: stat.threads,
      faults: [stat.minorFaults, stat.majorFaults],
      still: states.every((state) => STILL_STATES.has(state)),
      proc: { statm: parseStatm(statm!), status: parseStatus(status!), stat_rss: stat.rss, smaps_rollup: parseSmapsRollup(smaps!) },
    };
  }

  /**
   * The stat files of a multi-threaded target's threads (/proc/PID/stat shows only the first
   * thread's state); none for one thread. Null when there are too many to read each round.
   */
  async function threadStatPaths(threads: number): Promise<string[] | null> {
    if (threads <= 1) return [];
    if (threads > MAX_THREADS) return null;
    const { stdout } = await runCommand(transport, ["ls", "--", `${dir}/task`]);
    const tids = stdout.split("\n").filter((tid) => /^\d+$/.test(tid) && tid !== String(pid));
    return tids.length < MAX_THREADS ? tids.map((tid) => `${dir}/task/${tid}/stat`) : null;
  }

  /** `count` rounds of reads, in one command (one round trip over SSH). */
  async function readRounds(count: number, startTime: number, threadStats: string[]): Promise<ProcfsRound[]> {
    const paths = [...SAMPLE_FILES.map((name) => `${dir}/${name}`), ...threadStats];
    const texts = await readFiles(transport, Array.from({ length: count }, () => paths).flat());
    const rounds: ProcfsRound[] = [];
    for (let i = 0; i < count; i++) {
      const round = roundOf(texts.slice(i * paths.length, (i + 1) * paths.length), startTime);
      if ("unreadable" in round) throw await unreadable(transport, pid, round.unreadable);
      rounds.push(round);
    }
    return rounds;
  }

  /**
   * The files are read one after another, so a process that allocates meanwhile gives a torn
   * reading (stat from before, smaps_rollup from after) whose difference is not drift. Two rounds
   * are read, and when they do not agree the other MAX_ROUNDS − 2 in one more command (two round
   * trips at most over SSH); the first two consecutive rounds that agree make the sample. When
   * none do, the sample says it is unstable.
   */
  async function sample(seq: number, startTime: number, threads: number): Promise<SampleLine> {
    const threadStats = await threadStatPaths(threads);
    const rounds = await readRounds(2, startTime, threadStats ?? []);
    if (!agree(rounds[0]!, rounds[1]!)) rounds.push(...(await readRounds(MAX_ROUNDS - 2, startTime, threadStats ?? [])));
    const agreeing = rounds.findIndex((round, i) => i > 0 && agree(rounds[i - 1]!, round));
    const stable = threadStats !== null && agreeing > 0;
    const chosen = rounds[stable ? agreeing : rounds.length - 1]!;
    return {
      type: "sample",
      seq,
      mono_ms: Number(process.hrtime.bigint()) / 1e6,
      threads: chosen.threads,
      counters: null,
      proc: chosen.proc,
      read_us: 0,
      ...(stable ? {} : { unstable: true }),
    };
  }

  // validated like helper output: the procfs backend meets the same schema at the same edge
  const checked = (line: HelperLine) => parseHelperLine(JSON.stringify(line), "procfs backend");

  async function* lines(): AsyncGenerator<HelperLine> {
    const first = await hello();
    yield checked(first.line);
    let threads = first.line.target.threads;
    for (let seq = 0; !closed && (options.count === undefined || seq < options.count); seq++) {
      if (seq > 0) await ticker.next();
      if (closed) return;
      const line = await sample(seq, first.startTime, threads);
      threads = line.threads;
      yield checked(line);
    }
  }

  const iterator = lines();
  return {
    origin: `procfs estimate on ${transport.where}`,
    [Symbol.asyncIterator]: () => iterator,
    sampleNow: () => ticker.sampleNow(),
    setInterval: (ms) => ticker.setInterval(ms),
    setPaused: (paused) => ticker.setPaused(paused),
    async close() {
      closed = true;
      ticker.stop();
    },
  };
}
