// GENERATED from helpers/rssdrift_helper/protocol.json by scripts/generate-protocol.mjs: do not edit.
// Change protocol.json, then run `npm run protocol` (a test fails while this file is stale).

/** helpers/rssdrift_helper/protocol.json, with its literal types. */
export const helperProtocol = {
  "$comment": "The wire protocol between rssdrift and its root helper (helpers/rss_stat.py), the one home of its facts: the JSON lines the helper prints (helperLine, a JSON Schema), the error codes with the helper's exit status for each (helperLine.$defs.HelperErrorCode), and the control commands it reads on stdin (controlCommands). The helper reads this file (rssdrift_helper/protocol.py); the TypeScript side is generated from it (npm run protocol writes src/protocol/helper-protocol.ts).",
  "helperLine": {
    "$id": "https://rssdrift.invalid/helper-line.json",
    "title": "ProtocolLine",
    "description": "One line of the helper's stdout, one JSON object: progress while starting, one hello, then one sample per tick; or one error line and a non-zero exit.",
    "type": "object",
    "required": ["type"],
    "properties": { "type": { "enum": ["hello", "sample", "progress", "error", "check"] } },
    "$comment": "the discriminator makes ajv report errors of the branch named by type, not of all the others",
    "discriminator": { "propertyName": "type" },
    "oneOf": [
      { "$ref": "#/$defs/HelloLine" },
      { "$ref": "#/$defs/SampleLine" },
      { "$ref": "#/$defs/ProgressLine" },
      { "$ref": "#/$defs/ErrorLine" },
      { "$ref": "#/$defs/CheckLine" }
    ],
    "$defs": {
      "HelloLine": {
        "description": "What the helper found, once, before the first sample.",
        "type": "object",
        "additionalProperties": false,
        "required": [
          "type", "protocol", "backend", "kernel", "drgn", "page_size", "cpus", "batch", "era",
          "era_source", "layout", "slot_kind", "fault_around_pages", "target", "interval_ms", "smaps"
        ],
        "properties": {
          "type": { "const": "hello" },
          "protocol": { "description": "the version of this protocol", "const": 1 },
          "backend": { "$ref": "#/$defs/HelperBackend" },
          "kernel": { "description": "init_uts_ns release, e.g. \"6.12.107+deb13-cloud-amd64\"", "type": "string", "minLength": 1 },
          "drgn": { "description": "drgn.__version__, or null for the bpf and procfs backends", "type": ["string", "null"] },
          "bpf": { "$ref": "#/$defs/BpfSetup" },
          "page_size": { "type": "integer", "minimum": 4096 },
          "cpus": {
            "type": "object",
            "additionalProperties": false,
            "required": ["online", "possible"],
            "properties": {
              "online": { "type": "array", "items": { "type": "integer", "minimum": 0 }, "minItems": 1 },
              "possible": { "type": "array", "items": { "type": "integer", "minimum": 0 }, "minItems": 1 }
            }
          },
          "batch": { "description": "percpu_counter_batch, or null when unknown (procfs backend)", "type": ["integer", "null"], "minimum": 1 },
          "era": { "$ref": "#/$defs/Era" },
          "era_source": {
            "description": "\"type\" when the helper looked at mm_struct's types, \"version\" when guessed from the release string",
            "enum": ["type", "version"]
          },
          "layout": { "description": "the type of mm->rss_stat as drgn names it, e.g. \"struct percpu_counter [4]\"; \"\" for procfs", "type": "string" },
          "slot_kind": {
            "description": "what a residue slot number is: a CPU id, a thread id (tid), or nothing (no residue possible)",
            "enum": ["cpu", "thread", "none"]
          },
          "fault_around_pages": {
            "description": "fault_around_bytes / page_size (pages one file fault can map), when the kernel has it; bounds split-rss",
            "type": ["integer", "null"],
            "minimum": 1
          },
          "target": {
            "type": "object",
            "additionalProperties": false,
            "required": ["pid", "comm", "start_time", "threads"],
            "properties": {
              "pid": { "type": "integer", "minimum": 1 },
              "comm": { "type": "string" },
              "start_time": { "type": "integer", "minimum": 0 },
              "threads": { "type": "integer", "minimum": 1 }
            }
          },
          "interval_ms": { "type": "integer", "minimum": 1 },
          "smaps": { "type": "boolean" }
        },
        "$comment": "a bpf hello names no drgn version; only a bpf hello may carry the bpf object",
        "if": { "required": ["backend"], "properties": { "backend": { "const": "bpf" } } },
        "then": { "properties": { "drgn": { "type": "null" } } },
        "else": { "properties": { "bpf": false } }
      },
      "HelperBackend": {
        "description": "What read the counters: drgn, a BPF program (both read the kernel's own), or the /proc estimate.",
        "enum": ["bpf", "drgn", "procfs"]
      },
      "BpfSetup": {
        "description": "How the bpf backend set itself up; only in a bpf hello line, where it is optional.",
        "type": "object",
        "additionalProperties": false,
        "required": ["per_cpu_offsets", "insns", "btf_ms", "load_ms"],
        "properties": {
          "per_cpu_offsets": {
            "description": "where each CPU's per-CPU base came from: __per_cpu_offset in kallsyms, derived from runqueues, or not needed",
            "enum": ["kallsyms", "runqueues", "none"]
          },
          "insns": { "description": "instructions in the loaded program", "type": "integer", "minimum": 1 },
          "btf_ms": { "description": "reading the kernel's BTF, milliseconds", "type": "number", "minimum": 0 },
          "load_ms": { "description": "loading the program, milliseconds", "type": "number", "minimum": 0 }
        }
      },
      "Era": {
        "description": "How mm->rss_stat is laid out, detected from types by the helper. percpu: v6.2+, struct percpu_counter rss_stat[4]; residue sits in per-CPU slots. split-rss: v2.6.34..v6.1, atomic mm counters plus per-thread caches (task->rss_stat). none: no cache at all (old kernel without task->rss_stat, or !SMP percpu_counter): cached == exact. unknown: the procfs backend could not look at types.",
        "enum": ["percpu", "split-rss", "none", "unknown"]
      },
      "SampleLine": {
        "description": "One reading of the counters and of /proc, every tick.",
        "type": "object",
        "additionalProperties": false,
        "required": ["type", "seq", "mono_ms", "threads", "counters", "proc", "read_us"],
        "properties": {
          "type": { "const": "sample" },
          "seq": { "type": "integer", "minimum": 0 },
          "mono_ms": { "description": "CLOCK_MONOTONIC on the target, milliseconds", "type": "number", "minimum": 0 },
          "threads": { "type": "integer", "minimum": 1 },
          "counters": {
            "description": "the kernel's four mm counters by our short names (MM_FILEPAGES, MM_ANONPAGES, MM_SHMEMPAGES, MM_SWAPENTS); null for the procfs backend, which cannot see them",
            "type": ["object", "null"],
            "additionalProperties": false,
            "required": ["file", "anon", "shmem", "swap"],
            "properties": {
              "file": { "$ref": "#/$defs/CounterReading" },
              "anon": { "$ref": "#/$defs/CounterReading" },
              "shmem": { "$ref": "#/$defs/CounterReading" },
              "swap": { "$ref": "#/$defs/CounterReading" }
            }
          },
          "proc": { "$ref": "#/$defs/ProcReadings" },
          "read_us": { "description": "how long reading the counters took, microseconds: the window in which they can jitter", "type": "integer", "minimum": 0 },
          "unstable": {
            "description": "procfs backend only, optional: true when consecutive reads of the /proc files never agreed (the process changed while it was read), so the readings do not make an estimate",
            "type": "boolean"
          }
        }
      },
      "CounterReading": {
        "type": "object",
        "additionalProperties": false,
        "required": ["count", "cached", "exact", "residue"],
        "properties": {
          "count": { "description": "raw fbc->count (percpu) or mm->rss_stat.count[i] (split-rss), may be negative", "type": "integer" },
          "cached": { "description": "what get_mm_counter() returns: max(0, count)", "type": "integer", "minimum": 0 },
          "exact": { "description": "percpu_counter_sum() (percpu) or count + Σ thread caches (split-rss)", "type": "integer" },
          "residue": {
            "description": "one entry per online CPU (percpu) or per thread (split-rss); empty for era \"none\"",
            "type": "array",
            "items": { "$ref": "#/$defs/ResidueSlot" }
          }
        }
      },
      "ResidueSlot": {
        "type": "object",
        "additionalProperties": false,
        "required": ["slot", "pages"],
        "properties": {
          "slot": { "description": "CPU id (slot_kind \"cpu\") or tid (slot_kind \"thread\")", "type": "integer", "minimum": 0 },
          "pages": { "description": "pages parked there, signed: a free on another CPU than the fault makes a slot negative", "type": "integer" }
        }
      },
      "ProcReadings": {
        "type": "object",
        "additionalProperties": false,
        "required": ["statm", "status", "stat_rss", "smaps_rollup"],
        "properties": {
          "statm": {
            "description": "/proc/PID/statm, pages",
            "type": "object",
            "additionalProperties": false,
            "required": ["size", "resident", "shared"],
            "properties": {
              "size": { "type": "integer", "minimum": 0 },
              "resident": { "type": "integer", "minimum": 0 },
              "shared": { "type": "integer", "minimum": 0 }
            }
          },
          "status": {
            "description": "/proc/PID/status, kB",
            "type": "object",
            "additionalProperties": false,
            "required": ["VmRSS", "RssAnon", "RssFile", "RssShmem", "VmSwap", "VmHWM"],
            "properties": {
              "VmRSS": { "type": "integer", "minimum": 0 },
              "RssAnon": { "type": "integer", "minimum": 0 },
              "RssFile": { "type": "integer", "minimum": 0 },
              "RssShmem": { "type": "integer", "minimum": 0 },
              "VmSwap": { "type": "integer", "minimum": 0 },
              "VmHWM": { "type": "integer", "minimum": 0 }
            }
          },
          "stat_rss": { "description": "/proc/PID/stat field 24 (rss), pages; always the cached value", "type": "integer", "minimum": 0 },
          "smaps_rollup": {
            "description": "/proc/PID/smaps_rollup, kB; null unless asked for (--smaps), because the page-table walk is slow",
            "type": ["object", "null"],
            "additionalProperties": false,
            "required": ["Rss", "Anonymous"],
            "properties": {
              "Rss": { "type": "integer", "minimum": 0 },
              "Anonymous": { "type": "integer", "minimum": 0 }
            }
          }
        }
      },
      "ProgressLine": {
        "type": "object",
        "additionalProperties": false,
        "required": ["type", "step", "message"],
        "properties": {
          "type": { "const": "progress" },
          "step": { "enum": ["starting", "loading-debug-info", "finding-task", "sampling"] },
          "message": { "type": "string" }
        }
      },
      "ErrorLine": {
        "description": "Why the helper stops: its last line, before it exits with the status of its code.",
        "type": "object",
        "additionalProperties": false,
        "required": ["type", "code", "message"],
        "properties": {
          "type": { "const": "error" },
          "code": { "$ref": "#/$defs/HelperErrorCode" },
          "message": { "type": "string", "minLength": 1 },
          "hint": { "description": "what to do about it, e.g. the package to install", "type": "string" }
        }
      },
      "CheckLine": {
        "description": "The one line of `rss_stat.py --check` (rssdrift_helper/checks.py), which `rssdrift doctor` renders: every prerequisite of each kernel backend, as the helper found it where and as it runs, and which backend --backend auto would read with there. A sampling run never prints it.",
        "type": "object",
        "additionalProperties": false,
        "required": ["type", "protocol", "kernel", "os", "user", "uid", "euid", "auto", "checks"],
        "properties": {
          "type": { "const": "check" },
          "protocol": { "description": "the version of this protocol", "const": 1 },
          "kernel": { "description": "the running kernel's release", "type": "string", "minLength": 1 },
          "os": { "description": "/etc/os-release's PRETTY_NAME", "type": "string" },
          "user": { "description": "who runs it: under sudo, the user who ran sudo (SUDO_USER, SUDO_UID)", "type": "string" },
          "uid": { "type": "integer", "minimum": 0 },
          "euid": { "description": "the helper's effective uid: 0 when it runs as root, directly or through sudo", "type": "integer", "minimum": 0 },
          "auto": { "$ref": "#/$defs/HelperBackend" },
          "checks": {
            "description": "one per check name, in the order of CheckEntry's check enum",
            "type": "array",
            "items": { "$ref": "#/$defs/CheckEntry" },
            "minItems": 10,
            "maxItems": 10
          }
        }
      },
      "CheckEntry": {
        "description": "One prerequisite. Each check is for one backend: both kernel backends, bpf or drgn (the allOf below says which).",
        "type": "object",
        "additionalProperties": false,
        "required": ["check", "backend", "status", "code", "detail", "fix"],
        "properties": {
          "check": {
            "$comment": "in the order of the line",
            "enum": ["root", "lockdown", "python3", "BTF", "capabilities", "bpf()", "/proc/kcore", "drgn", "debug info", "rss_stat era"]
          },
          "backend": { "enum": ["both", "bpf", "drgn"] },
          "status": {
            "description": "warn: nothing known to block, but it could not be told (not a pass); skipped: not checked, because a check it needs failed",
            "enum": ["ok", "warn", "fail", "skipped"]
          },
          "code": {
            "description": "set for a failure, null otherwise: the error code the backend itself would stop with, or old-python",
            "anyOf": [{ "$ref": "#/$defs/HelperErrorCode" }, { "const": "old-python" }, { "type": "null" }]
          },
          "detail": { "description": "what was found, one line", "type": "string", "minLength": 1 },
          "fix": { "description": "for a failure, the command or step that fixes it", "type": ["string", "null"] }
        },
        "allOf": [
          { "if": { "required": ["check"], "properties": { "check": { "const": "root" } } }, "then": { "properties": { "backend": { "const": "both" } } } },
          { "if": { "required": ["check"], "properties": { "check": { "const": "lockdown" } } }, "then": { "properties": { "backend": { "const": "both" } } } },
          { "if": { "required": ["check"], "properties": { "check": { "const": "python3" } } }, "then": { "properties": { "backend": { "const": "both" } } } },
          { "if": { "required": ["check"], "properties": { "check": { "const": "BTF" } } }, "then": { "properties": { "backend": { "const": "bpf" } } } },
          { "if": { "required": ["check"], "properties": { "check": { "const": "capabilities" } } }, "then": { "properties": { "backend": { "const": "bpf" } } } },
          { "if": { "required": ["check"], "properties": { "check": { "const": "bpf()" } } }, "then": { "properties": { "backend": { "const": "bpf" } } } },
          { "if": { "required": ["check"], "properties": { "check": { "const": "/proc/kcore" } } }, "then": { "properties": { "backend": { "const": "drgn" } } } },
          { "if": { "required": ["check"], "properties": { "check": { "const": "drgn" } } }, "then": { "properties": { "backend": { "const": "drgn" } } } },
          { "if": { "required": ["check"], "properties": { "check": { "const": "debug info" } } }, "then": { "properties": { "backend": { "const": "drgn" } } } },
          { "if": { "required": ["check"], "properties": { "check": { "const": "rss_stat era" } } }, "then": { "properties": { "backend": { "const": "drgn" } } } }
        ]
      },
      "HelperErrorCode": {
        "description": "The helper's error codes, grouped by the status the helper exits with (rssdrift's exit code for them: EXIT in src/errors.ts).",
        "anyOf": [
          {
            "description": "bad input: the helper's arguments, or a kernel thread (no user memory)",
            "exitStatus": 2,
            "enum": ["bad-args", "kernel-thread"]
          },
          {
            "description": "the target is gone",
            "exitStatus": 3,
            "enum": ["no-such-pid", "zombie", "pid-reused", "target-exited"]
          },
          {
            "description": "a prerequisite of the backend is missing",
            "exitStatus": 4,
            "enum": ["not-root", "no-kcore", "lockdown", "no-drgn", "no-debug-info", "no-btf", "bpf-refused", "unsupported-arch"]
          },
          {
            "description": "the helper failed: a kernel layout it does not know, a read that failed its own check, a bug",
            "exitStatus": 5,
            "enum": ["unsupported-layout", "self-check-failed", "internal"]
          }
        ]
      }
    }
  },
  "controlCommands": {
    "$comment": "What the controller writes to the helper's stdin (with --control), one command a line, words separated by blanks. The helper ignores any other line, and exits when stdin ends.",
    "sample": { "description": "take a sample now, also while paused" },
    "interval": {
      "description": "sample every MS milliseconds from now on, counted from the last sample",
      "argument": { "name": "MS", "minimum": 1, "maximum": 3600000 }
    },
    "pause": { "description": "take no sample on the clock until resume" },
    "resume": { "description": "sample on the clock again" },
    "ping": { "description": "nothing but a sign of life: every line restarts the helper's heartbeat deadline" }
  }
} as const;

/**
 * One line of the helper's stdout, one JSON object: progress while starting, one hello, then one sample per tick; or one error line and a non-zero exit.
 */
export type ProtocolLine = {
  type: "hello" | "sample" | "progress" | "error" | "check";
} & (HelloLine | SampleLine | ProgressLine | ErrorLine | CheckLine);
/**
 * What read the counters: drgn, a BPF program (both read the kernel's own), or the /proc estimate.
 */
export type HelperBackend = "bpf" | "drgn" | "procfs";
/**
 * How mm->rss_stat is laid out, detected from types by the helper. percpu: v6.2+, struct percpu_counter rss_stat[4]; residue sits in per-CPU slots. split-rss: v2.6.34..v6.1, atomic mm counters plus per-thread caches (task->rss_stat). none: no cache at all (old kernel without task->rss_stat, or !SMP percpu_counter): cached == exact. unknown: the procfs backend could not look at types.
 */
export type Era = "percpu" | "split-rss" | "none" | "unknown";
/**
 * The helper's error codes, grouped by the status the helper exits with (rssdrift's exit code for them: EXIT in src/errors.ts).
 */
export type HelperErrorCode =
  | ("bad-args" | "kernel-thread")
  | ("no-such-pid" | "zombie" | "pid-reused" | "target-exited")
  | ("not-root" | "no-kcore" | "lockdown" | "no-drgn" | "no-debug-info" | "no-btf" | "bpf-refused" | "unsupported-arch")
  | ("unsupported-layout" | "self-check-failed" | "internal");
/**
 * One prerequisite. Each check is for one backend: both kernel backends, bpf or drgn (the allOf below says which).
 */
export type CheckEntry = {
  check: "root" | "lockdown" | "python3" | "BTF" | "capabilities" | "bpf()" | "/proc/kcore" | "drgn" | "debug info" | "rss_stat era";
  backend: "both" | "bpf" | "drgn";
  /**
   * warn: nothing known to block, but it could not be told (not a pass); skipped: not checked, because a check it needs failed
   */
  status: "ok" | "warn" | "fail" | "skipped";
  /**
   * set for a failure, null otherwise: the error code the backend itself would stop with, or old-python
   */
  code: HelperErrorCode | "old-python" | null;
  /**
   * what was found, one line
   */
  detail: string;
  /**
   * for a failure, the command or step that fixes it
   */
  fix: string | null;
};

/**
 * What the helper found, once, before the first sample.
 */
export interface HelloLine {
  type: "hello";
  /**
   * the version of this protocol
   */
  protocol: 1;
  backend: HelperBackend;
  /**
   * init_uts_ns release, e.g. "6.12.107+deb13-cloud-amd64"
   */
  kernel: string;
  /**
   * drgn.__version__, or null for the bpf and procfs backends
   */
  drgn: string | null;
  bpf?: BpfSetup;
  page_size: number;
  cpus: {
    /**
     * @minItems 1
     */
    online: number[];
    /**
     * @minItems 1
     */
    possible: number[];
  };
  /**
   * percpu_counter_batch, or null when unknown (procfs backend)
   */
  batch: number | null;
  era: Era;
  /**
   * "type" when the helper looked at mm_struct's types, "version" when guessed from the release string
   */
  era_source: "type" | "version";
  /**
   * the type of mm->rss_stat as drgn names it, e.g. "struct percpu_counter [4]"; "" for procfs
   */
  layout: string;
  /**
   * what a residue slot number is: a CPU id, a thread id (tid), or nothing (no residue possible)
   */
  slot_kind: "cpu" | "thread" | "none";
  /**
   * fault_around_bytes / page_size (pages one file fault can map), when the kernel has it; bounds split-rss
   */
  fault_around_pages: number | null;
  target: {
    pid: number;
    comm: string;
    start_time: number;
    threads: number;
  };
  interval_ms: number;
  smaps: boolean;
}
/**
 * How the bpf backend set itself up; only in a bpf hello line, where it is optional.
 */
export interface BpfSetup {
  /**
   * where each CPU's per-CPU base came from: __per_cpu_offset in kallsyms, derived from runqueues, or not needed
   */
  per_cpu_offsets: "kallsyms" | "runqueues" | "none";
  /**
   * instructions in the loaded program
   */
  insns: number;
  /**
   * reading the kernel's BTF, milliseconds
   */
  btf_ms: number;
  /**
   * loading the program, milliseconds
   */
  load_ms: number;
}
/**
 * One reading of the counters and of /proc, every tick.
 */
export interface SampleLine {
  type: "sample";
  seq: number;
  /**
   * CLOCK_MONOTONIC on the target, milliseconds
   */
  mono_ms: number;
  threads: number;
  /**
   * the kernel's four mm counters by our short names (MM_FILEPAGES, MM_ANONPAGES, MM_SHMEMPAGES, MM_SWAPENTS); null for the procfs backend, which cannot see them
   */
  counters: {
    file: CounterReading;
    anon: CounterReading;
    shmem: CounterReading;
    swap: CounterReading;
  } | null;
  proc: ProcReadings;
  /**
   * how long reading the counters took, microseconds: the window in which they can jitter
   */
  read_us: number;
  /**
   * procfs backend only, optional: true when consecutive reads of the /proc files never agreed (the process changed while it was read), so the readings do not make an estimate
   */
  unstable?: boolean;
}
export interface CounterReading {
  /**
   * raw fbc->count (percpu) or mm->rss_stat.count[i] (split-rss), may be negative
   */
  count: number;
  /**
   * what get_mm_counter() returns: max(0, count)
   */
  cached: number;
  /**
   * percpu_counter_sum() (percpu) or count + Σ thread caches (split-rss)
   */
  exact: number;
  /**
   * one entry per online CPU (percpu) or per thread (split-rss); empty for era "none"
   */
  residue: ResidueSlot[];
}
export interface ResidueSlot {
  /**
   * CPU id (slot_kind "cpu") or tid (slot_kind "thread")
   */
  slot: number;
  /**
   * pages parked there, signed: a free on another CPU than the fault makes a slot negative
   */
  pages: number;
}
export interface ProcReadings {
  /**
   * /proc/PID/statm, pages
   */
  statm: {
    size: number;
    resident: number;
    shared: number;
  };
  /**
   * /proc/PID/status, kB
   */
  status: {
    VmRSS: number;
    RssAnon: number;
    RssFile: number;
    RssShmem: number;
    VmSwap: number;
    VmHWM: number;
  };
  /**
   * /proc/PID/stat field 24 (rss), pages; always the cached value
   */
  stat_rss: number;
  /**
   * /proc/PID/smaps_rollup, kB; null unless asked for (--smaps), because the page-table walk is slow
   */
  smaps_rollup: {
    Rss: number;
    Anonymous: number;
  } | null;
}
export interface ProgressLine {
  type: "progress";
  step: "starting" | "loading-debug-info" | "finding-task" | "sampling";
  message: string;
}
/**
 * Why the helper stops: its last line, before it exits with the status of its code.
 */
export interface ErrorLine {
  type: "error";
  code: HelperErrorCode;
  message: string;
  /**
   * what to do about it, e.g. the package to install
   */
  hint?: string;
}
/**
 * The one line of `rss_stat.py --check` (rssdrift_helper/checks.py), which `rssdrift doctor` renders: every prerequisite of each kernel backend, as the helper found it where and as it runs, and which backend --backend auto would read with there. A sampling run never prints it.
 */
export interface CheckLine {
  type: "check";
  /**
   * the version of this protocol
   */
  protocol: 1;
  /**
   * the running kernel's release
   */
  kernel: string;
  /**
   * /etc/os-release's PRETTY_NAME
   */
  os: string;
  /**
   * who runs it: under sudo, the user who ran sudo (SUDO_USER, SUDO_UID)
   */
  user: string;
  uid: number;
  /**
   * the helper's effective uid: 0 when it runs as root, directly or through sudo
   */
  euid: number;
  auto: HelperBackend;
  /**
   * one per check name, in the order of CheckEntry's check enum
   *
   * @minItems 10
   * @maxItems 10
   */
  checks: CheckEntry[];
}
