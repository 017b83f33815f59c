// The wire format of helpers/rss_stat.py: one JSON object per line.
// The TypeScript types and the JSON schema below describe the same thing; the schema is the
// one that is enforced (validate-line.ts), the types let the rest of the code rely on it.

export const PROTOCOL_VERSION = 1;

/** The kernel's four mm counters, by our short names (MM_FILEPAGES, MM_ANONPAGES, MM_SHMEMPAGES, MM_SWAPENTS). */
export const COUNTER_NAMES = ["file", "anon", "shmem", "swap"] as const;
export type CounterName = (typeof COUNTER_NAMES)[number];
/** RSS = FILE + ANON + SHMEM; SWAP is not resident. */
export const RSS_COUNTERS = ["file", "anon", "shmem"] as const satisfies readonly CounterName[];

/**
 * How mm->rss_stat is laid out, detected from types by the helper:
 * - percpu: v6.2+, struct percpu_counter rss_stat[4]; residue sits in per-CPU slots.
 * - split-rss: v2.6.34..v6.1, atomic mm counters plus per-thread caches (task->rss_stat).
 * - none: no cache at all (old kernel without task->rss_stat, or !SMP percpu_counter): cached == exact.
 * - unknown: the procfs backend could not look at types.
 */
export type Era = "percpu" | "split-rss" | "none" | "unknown";

/** What read the counters: drgn, a BPF program (both read the kernel's own), or the /proc estimate. */
export type HelperBackend = "bpf" | "drgn" | "procfs";

/** How the bpf backend set itself up; only in a bpf hello line. */
export interface BpfSetup {
  /** where each CPU's per-CPU base came from: __per_cpu_offset in kallsyms, derived from runqueues, or not needed */
  per_cpu_offsets: "kallsyms" | "runqueues" | "none";
  /** instructions in the loaded program */
  insns: number;
  /** reading the kernel's BTF, and loading the program, milliseconds */
  btf_ms: number;
  load_ms: number;
}

export interface HelloLine {
  type: "hello";
  protocol: 1;
  backend: HelperBackend;
  /** init_uts_ns release, e.g. "6.12.107+deb13-cloud-amd64" */
  kernel: string;
  /** drgn.__version__, or null for the bpf and procfs backends */
  drgn: string | null;
  /** the bpf backend's set-up; present only when backend is "bpf" */
  bpf?: BpfSetup;
  page_size: number;
  cpus: { online: number[]; possible: number[] };
  /** percpu_counter_batch, or null when unknown (procfs backend) */
  batch: number | null;
  era: Era;
  /** "type" when the helper looked at mm_struct's types, "version" when guessed from the release string */
  era_source: "type" | "version";
  /** the type of mm->rss_stat as drgn names it, e.g. "struct percpu_counter [4]"; "" for procfs */
  layout: string;
  /** what a residue slot number is: a CPU id, a thread id (tid), or nothing (no residue possible) */
  slot_kind: "cpu" | "thread" | "none";
  /** fault_around_bytes / page_size (pages one file fault can map), when the kernel has it; bounds split-rss */
  fault_around_pages: number | null;
  target: { pid: number; comm: string; start_time: number; threads: number };
  interval_ms: number;
  smaps: boolean;
}

export interface ResidueSlot {
  /** CPU id (slot_kind "cpu") or tid (slot_kind "thread") */
  slot: number;
  /** pages parked there, signed: a free on another CPU than the fault makes a slot negative */
  pages: number;
}

export interface CounterReading {
  /** raw fbc->count (percpu) or mm->rss_stat.count[i] (split-rss), may be negative */
  count: number;
  /** what get_mm_counter() returns: max(0, count) */
  cached: number;
  /** percpu_counter_sum() (percpu) or count + Σ thread caches (split-rss) */
  exact: number;
  /** one entry per online CPU (percpu) or per thread (split-rss); empty for era "none" */
  residue: ResidueSlot[];
}

export interface ProcReadings {
  /** /proc/PID/statm, pages */
  statm: { size: number; resident: number; shared: number };
  /** /proc/PID/status, kB */
  status: { VmRSS: number; RssAnon: number; RssFile: number; RssShmem: number; VmSwap: number; VmHWM: number };
  /** /proc/PID/stat field 24 (rss), pages; always the cached value */
  stat_rss: number;
  /** /proc/PID/smaps_rollup, kB; null unless asked for (--smaps), because the page-table walk is slow */
  smaps_rollup: { Rss: number; Anonymous: number } | null;
}

export interface SampleLine {
  type: "sample";
  seq: number;
  /** CLOCK_MONOTONIC on the target, milliseconds */
  mono_ms: number;
  threads: number;
  /** null for the procfs backend, which cannot see the counters */
  counters: Record<CounterName, CounterReading> | null;
  proc: ProcReadings;
  /** how long reading the counters took, microseconds: the window in which they can jitter */
  read_us: number;
  /**
   * procfs backend only, optional: true when consecutive reads of the /proc files never agreed
   * (the process changed while it was read), so the readings do not make an estimate
   */
  unstable?: boolean;
}

export interface ProgressLine {
  type: "progress";
  step: "starting" | "loading-debug-info" | "finding-task" | "sampling";
  message: string;
}

export const ERROR_CODES = [
  "bad-args",
  "no-such-pid",
  "kernel-thread",
  "zombie",
  "pid-reused",
  "target-exited",
  "not-root",
  "no-kcore",
  "lockdown",
  "no-drgn",
  "no-debug-info",
  "unsupported-layout",
  "no-btf",
  "bpf-refused",
  "unsupported-arch",
  "self-check-failed",
  "internal",
] as const;
export type HelperErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorLine {
  type: "error";
  code: HelperErrorCode;
  message: string;
  /** what to do about it, e.g. the package to install */
  hint?: string;
}

/** The lines of a sampling run; the check line comes only from `--check`. */
export type HelperLine = HelloLine | SampleLine | ProgressLine | ErrorLine;

const nonNegInt = { type: "integer", minimum: 0 } as const;

// --- the check line: `rss_stat.py --check` (helpers/rssdrift_helper/checks.py), which
// `rssdrift doctor` renders. One line: every prerequisite of each kernel backend, as the helper
// found it where and as it runs, and which backend --backend auto would read with there.

/** Every check, in the order of the line, and what it is for: both kernel backends, or one of them. */
export const CHECK_BACKENDS = {
  root: "both",
  lockdown: "both",
  python3: "both",
  BTF: "bpf",
  capabilities: "bpf",
  "bpf()": "bpf",
  "/proc/kcore": "drgn",
  drgn: "drgn",
  "debug info": "drgn",
  "rss_stat era": "drgn",
} as const;
export const CHECK_NAMES = Object.keys(CHECK_BACKENDS) as (keyof typeof CHECK_BACKENDS)[];
export type CheckName = keyof typeof CHECK_BACKENDS;

/** warn: nothing known to block, but it could not be told (not a pass); skipped: not checked, because a check it needs failed */
export type CheckStatus = "ok" | "warn" | "fail" | "skipped";
export type CheckBackend = (typeof CHECK_BACKENDS)[CheckName];
/** a failure's code: the error code the backend itself would stop with, or old-python */
export const CHECK_CODES = [...ERROR_CODES, "old-python"] as const;
export type CheckCode = (typeof CHECK_CODES)[number];

export interface CheckEntry {
  check: CheckName;
  backend: CheckBackend;
  status: CheckStatus;
  /** set for a failure, null otherwise */
  code: CheckCode | null;
  /** what was found, one line */
  detail: string;
  /** for a failure, the command or step that fixes it */
  fix: string | null;
}

export interface CheckLine {
  type: "check";
  protocol: 1;
  /** the running kernel's release */
  kernel: string;
  /** /etc/os-release's PRETTY_NAME */
  os: string;
  /** who runs it: under sudo, the user who ran sudo (SUDO_USER, SUDO_UID) */
  user: string;
  uid: number;
  /** the helper's effective uid: 0 when it runs as root, directly or through sudo */
  euid: number;
  /** what --backend auto reads with there: the first kernel backend whose proof worked, else procfs */
  auto: HelperBackend;
  /** one per name in CHECK_NAMES, in that order */
  checks: CheckEntry[];
}

/** Any line the helper prints: a sampling run's, or the check line. */
export type ProtocolLine = HelperLine | CheckLine;

const checkLineSchema = {
  type: "object",
  additionalProperties: false,
  required: ["type", "protocol", "kernel", "os", "user", "uid", "euid", "auto", "checks"],
  properties: {
    type: { const: "check" },
    protocol: { const: PROTOCOL_VERSION },
    kernel: { type: "string", minLength: 1 },
    os: { type: "string" },
    user: { type: "string" },
    uid: nonNegInt,
    euid: nonNegInt,
    auto: { enum: ["bpf", "drgn", "procfs"] },
    checks: {
      type: "array",
      minItems: CHECK_NAMES.length,
      maxItems: CHECK_NAMES.length,
      items: {
        type: "object",
        additionalProperties: false,
        required: ["check", "backend", "status", "code", "detail", "fix"],
        properties: {
          check: { enum: CHECK_NAMES },
          backend: { enum: ["both", "bpf", "drgn"] },
          status: { enum: ["ok", "warn", "fail", "skipped"] },
          code: { enum: [...CHECK_CODES, null] },
          detail: { type: "string", minLength: 1 },
          fix: { type: ["string", "null"] },
        },
        // each check is for the backend CHECK_BACKENDS names
        allOf: CHECK_NAMES.map((name) => ({
          if: { required: ["check"], properties: { check: { const: name } } },
          then: { properties: { backend: { const: CHECK_BACKENDS[name] } } },
        })),
      },
    },
  },
} as const;
// --- end of the check line

const int = { type: "integer" } as const;
const cpuList = { type: "array", items: nonNegInt } as const;

const counterReading = {
  type: "object",
  additionalProperties: false,
  required: ["count", "cached", "exact", "residue"],
  properties: {
    count: int,
    cached: nonNegInt,
    exact: int,
    residue: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["slot", "pages"],
        properties: { slot: nonNegInt, pages: int },
      },
    },
  },
} as const;

const kB = nonNegInt;

export const helperLineSchema = {
  $id: "https://rssdrift.invalid/helper-line.json",
  type: "object",
  required: ["type"],
  properties: { type: { enum: ["hello", "sample", "progress", "error", "check"] } },
  // the discriminator makes ajv report errors of the branch named by "type", not of all the others
  discriminator: { propertyName: "type" },
  oneOf: [
    {
      type: "object",
      additionalProperties: false,
      required: [
        "type", "protocol", "backend", "kernel", "drgn", "page_size", "cpus", "batch", "era",
        "era_source", "layout", "slot_kind", "fault_around_pages", "target", "interval_ms", "smaps",
      ],
      properties: {
        type: { const: "hello" },
        protocol: { const: PROTOCOL_VERSION },
        backend: { enum: ["bpf", "drgn", "procfs"] },
        kernel: { type: "string", minLength: 1 },
        drgn: { type: ["string", "null"] },
        bpf: {
          type: "object",
          additionalProperties: false,
          required: ["per_cpu_offsets", "insns", "btf_ms", "load_ms"],
          properties: {
            per_cpu_offsets: { enum: ["kallsyms", "runqueues", "none"] },
            insns: { type: "integer", minimum: 1 },
            btf_ms: { type: "number", minimum: 0 },
            load_ms: { type: "number", minimum: 0 },
          },
        },
        page_size: { type: "integer", minimum: 4096 },
        cpus: {
          type: "object",
          additionalProperties: false,
          required: ["online", "possible"],
          properties: { online: { ...cpuList, minItems: 1 }, possible: { ...cpuList, minItems: 1 } },
        },
        batch: { type: ["integer", "null"], minimum: 1 },
        era: { enum: ["percpu", "split-rss", "none", "unknown"] },
        era_source: { enum: ["type", "version"] },
        layout: { type: "string" },
        slot_kind: { enum: ["cpu", "thread", "none"] },
        fault_around_pages: { type: ["integer", "null"], minimum: 1 },
        target: {
          type: "object",
          additionalProperties: false,
          required: ["pid", "comm", "start_time", "threads"],
          properties: {
            pid: { type: "integer", minimum: 1 },
            comm: { type: "string" },
            start_time: nonNegInt,
            threads: { type: "integer", minimum: 1 },
          },
        },
        interval_ms: { type: "integer", minimum: 1 },
        smaps: { type: "boolean" },
      },
      // a bpf hello names no drgn version; only a bpf hello may carry the bpf object
      if: { required: ["backend"], properties: { backend: { const: "bpf" } } },
      then: { properties: { drgn: { type: "null" } } },
      else: { properties: { bpf: false } },
    },
    {
      type: "object",
      additionalProperties: false,
      required: ["type", "seq", "mono_ms", "threads", "counters", "proc", "read_us"],
      properties: {
        type: { const: "sample" },
        seq: nonNegInt,
        mono_ms: { type: "number", minimum: 0 },
        threads: { type: "integer", minimum: 1 },
        counters: {
          type: ["object", "null"],
          additionalProperties: false,
          required: ["file", "anon", "shmem", "swap"],
          properties: { file: counterReading, anon: counterReading, shmem: counterReading, swap: counterReading },
        },
        proc: {
          type: "object",
          additionalProperties: false,
          required: ["statm", "status", "stat_rss", "smaps_rollup"],
          properties: {
            statm: {
              type: "object",
              additionalProperties: false,
              required: ["size", "resident", "shared"],
              properties: { size: nonNegInt, resident: nonNegInt, shared: nonNegInt },
            },
            status: {
              type: "object",
              additionalProperties: false,
              required: ["VmRSS", "RssAnon", "RssFile", "RssShmem", "VmSwap", "VmHWM"],
              properties: { VmRSS: kB, RssAnon: kB, RssFile: kB, RssShmem: kB, VmSwap: kB, VmHWM: kB },
            },
            stat_rss: nonNegInt,
            smaps_rollup: {
              type: ["object", "null"],
              additionalProperties: false,
              required: ["Rss", "Anonymous"],
              properties: { Rss: kB, Anonymous: kB },
            },
          },
        },
        read_us: nonNegInt,
        unstable: { type: "boolean" },
      },
    },
    {
      type: "object",
      additionalProperties: false,
      required: ["type", "step", "message"],
      properties: {
        type: { const: "progress" },
        step: { enum: ["starting", "loading-debug-info", "finding-task", "sampling"] },
        message: { type: "string" },
      },
    },
    {
      type: "object",
      additionalProperties: false,
      required: ["type", "code", "message"],
      properties: {
        type: { const: "error" },
        code: { enum: ERROR_CODES },
        message: { type: "string", minLength: 1 },
        hint: { type: "string" },
      },
    },
    checkLineSchema,
  ],
} as const;
