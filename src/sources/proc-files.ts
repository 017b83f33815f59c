// Parsers for the /proc and /sys files the procfs backend reads. Pure: text in, numbers out.
import type { ProcReadings } from "../schema/helper-line.js";

export interface ProcStat {
  comm: string;
  state: string;
  /** task flags (field 9); PF_KTHREAD marks a kernel thread */
  flags: number;
  threads: number;
  /** fields 10 and 12: page faults so far, summed over the threads; they only ever grow */
  minorFaults: number;
  majorFaults: number;
  /** field 22, clock ticks after boot: changes when a pid is reused */
  startTime: number;
  /** field 24, pages: get_mm_rss(), always the cached counters */
  rss: number;
}

export const PF_KTHREAD = 0x00200000;

/** /proc/PID/stat. comm may hold spaces and parentheses, so split after the last ')'. */
export function parseStat(text: string): ProcStat {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) throw new Error("unexpected /proc/PID/stat format");
  // fields after comm start at field 3 (state); index i here is field i + 3
  const rest = text.slice(close + 2).trim().split(/\s+/);
  const field = (n: number) => Number(rest[n - 3]);
  return {
    comm: text.slice(open + 1, close),
    state: rest[0] ?? "?",
    flags: field(9),
    minorFaults: field(10),
    majorFaults: field(12),
    threads: field(20),
    startTime: field(22),
    rss: field(24),
  };
}

export function parseStatm(text: string): ProcReadings["statm"] {
  const [size, resident, shared] = text.trim().split(/\s+/).map(Number);
  return { size: size ?? 0, resident: resident ?? 0, shared: shared ?? 0 };
}

/** "Key:   123 kB" lines into a map of numbers (kB where the file says kB). */
function kbFields(text: string): Map<string, number> {
  const fields = new Map<string, number>();
  for (const line of text.split("\n")) {
    const match = /^(\w+):\s+(\d+)/.exec(line);
    if (match) fields.set(match[1]!, Number(match[2]));
  }
  return fields;
}

export function parseStatus(text: string): ProcReadings["status"] {
  const f = kbFields(text);
  const kb = (key: string) => f.get(key) ?? 0;
  return {
    VmRSS: kb("VmRSS"),
    RssAnon: kb("RssAnon"),
    RssFile: kb("RssFile"),
    RssShmem: kb("RssShmem"),
    VmSwap: kb("VmSwap"),
    VmHWM: kb("VmHWM"),
  };
}

/** /proc/PID/status Tgid: the process a thread id belongs to (equal to the pid for a process). */
export function parseStatusTgid(text: string): number | null {
  const match = /^Tgid:\s+(\d+)$/m.exec(text);
  return match ? Number(match[1]) : null;
}

export function parseSmapsRollup(text: string): NonNullable<ProcReadings["smaps_rollup"]> {
  const f = kbFields(text);
  return { Rss: f.get("Rss") ?? 0, Anonymous: f.get("Anonymous") ?? 0 };
}

/** A kernel CPU list such as "0-3,8,10-11" (/sys/devices/system/cpu/online). */
export function parseCpuList(text: string): number[] {
  const cpus: number[] = [];
  for (const part of text.trim().split(",")) {
    if (part === "") continue;
    const [from, to] = part.split("-").map(Number);
    if (from === undefined || Number.isNaN(from)) throw new Error(`bad CPU list: ${text.trim()}`);
    for (let cpu = from; cpu <= (to ?? from); cpu++) cpus.push(cpu);
  }
  return cpus;
}
