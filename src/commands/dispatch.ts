// `rssdrift …`: which command a command line names, then that command through the argv layer
// (command.ts). `rssdrift <pid>` is the report, or fleet mode with more than one host; `help`,
// --help and --version are answered here; a mistyped command name gets a "did you mean".
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { EXIT } from "../errors.js";
import { runCommandLine, type Command } from "./command.js";
import type { ProcessContext } from "./context.js";
import { badInput, nearMiss, shownWord } from "./parse-flags.js";

export const usage = `rssdrift: what the Linux kernel really counts as a process's resident memory

Linux keeps RSS in cached counters (mm->rss_stat): per-CPU since v6.2, per-thread before. So
/proc/PID/statm (what psutil, top and CI memory tests read) can be short by pages parked in each
CPU's slot: up to ≈ 2·N² pages per counter on N CPUs. rssdrift reads the counters (with a BPF
program, or drgn) and shows the cached count, the exact sum, the drift, where it sits and the bound.

Usage:
  rssdrift <pid> [--json|--markdown]     one report, then exit            (rssdrift help report)
  rssdrift watch <pid>                   a live view beside a paused test (rssdrift help watch)
  rssdrift replay FILE.jsonl             play back a --record'ed session  (rssdrift help replay)
  rssdrift bound [--cpus 8,32,128]       how wrong can statm be on a machine like X? (no root)
  rssdrift doctor [--host H]             check what each kernel backend needs, with fixes
  rssdrift <pid> --host a --host b       one row per host (rssdrift help fleet; also --hosts-file,
                                         --pgrep)
Every command takes --help (or \`rssdrift help COMMAND\`) and --no-color; NO_COLOR=1 is honoured.

Backends (--backend):
  bpf     a BPF program reads the counters: root (or CAP_BPF + CAP_PERFMON) and the kernel's BTF
          (/sys/kernel/btf/vmlinux); no debug info, no drgn, no /proc/kcore
  drgn    drgn reads them through /proc/kcore: root, python3-drgn and the kernel's debug info
  procfs  an estimate from /proc alone (labelled as such); no root
  auto    the default: bpf, else drgn, else procfs, with one line saying why each was skipped

Exit codes:
  0 ok   2 bad input (bad pid, kernel thread)   3 target gone (no such pid, exited, zombie)
  4 missing prerequisite: root or password-less sudo; bpf: BTF (no-btf), bpf() permitted
    (bpf-refused), a supported architecture (unsupported-arch); drgn: drgn, /proc/kcore, debug info;
    lockdown=confidentiality blocks both (lockdown)
  5 helper failure, incl. a bpf read that failed its own check (self-check-failed)
  6 SSH failure (refused, auth)   7 SSH host key unknown or changed
  8 the output could not be written (disk full: one line on stderr)   130 Ctrl-C
  141 the reader of the output went away (\`| head -1\`): quiet, as if killed by SIGPIPE`;

/** Commands are loaded on demand, so `rssdrift bound` does not load Ink or ssh2. */
const commands: Record<string, () => Promise<Command>> = {
  report: async () => (await import("./report.js")).reportCommand,
  watch: async () => (await import("./watch.js")).watchCommand,
  replay: async () => (await import("./replay.js")).replayCommand,
  bound: async () => (await import("./bound.js")).boundCommand,
  fleet: async () => (await import("./fleet.js")).fleetCommand,
  doctor: async () => (await import("./doctor.js")).doctorCommand,
};

export const commandNames = Object.keys(commands);

/** the command called `name` (one of commandNames) */
export function loadCommand(name: string): Promise<Command> {
  const load = commands[name];
  if (!load) throw unknownCommand(name);
  return load();
}

/** Several hosts, a hosts file or a process name: one row per host instead of one report. */
function isFleet(argv: string[]): boolean {
  const hosts = argv.filter((arg) => arg === "--host" || arg.startsWith("--host=")).length;
  return hosts > 1 || argv.some((arg) => /^--(hosts-file|pgrep)(=|$)/.test(arg));
}

/** A word where a command name was expected that is none: one line, with the nearest name. */
function unknownCommand(word: string) {
  const near = nearMiss(word, commandNames);
  if (near) return badInput(`unknown command ${shownWord(word)} (did you mean ${near}?)`, "see `rssdrift --help`");
  return badInput(`unknown command ${shownWord(word)}: the commands are ${commandNames.join(", ")}`, "see `rssdrift --help`");
}

/** `help [COMMAND]`, `--help [COMMAND]` */
async function help(rest: string[], io: ProcessContext): Promise<number> {
  const [name, extra] = rest;
  if (name === undefined) {
    io.stdout.write(`${usage}\n`);
    return EXIT.ok;
  }
  if (extra !== undefined)
    throw badInput(`unexpected argument ${shownWord(extra)}: help shows one command's help`, "e.g. `rssdrift help watch`");
  return runCommandLine(await loadCommand(name), ["--help"], io);
}

/** rssdrift's package.json, found from this file whether running from src/ or dist/src/ */
function packageJson(): { version: string } {
  for (const up of ["../../", "../../../"]) {
    const path = fileURLToPath(new URL(`${up}package.json`, import.meta.url));
    if (existsSync(path)) return JSON.parse(readFileSync(path, "utf8")) as { version: string };
  }
  throw new Error("package.json is missing from this installation");
}

function version(io: ProcessContext): number {
  io.stdout.write(`rssdrift ${packageJson().version}\n`);
  return EXIT.ok;
}

/** Runs the command line `rssdrift ARGV`; its exit code, or an RssdriftError for bad input. */
export async function runRssdrift(argv: string[], io: ProcessContext): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stdout.write(`${usage}\n`);
    return EXIT.badInput;
  }
  if (first === "help" || first === "--help" || first === "-h") return help(rest, io);
  if (first === "--version" || first === "-V") return version(io);
  if (commandNames.includes(first)) {
    return runCommandLine(await loadCommand(first === "report" && isFleet(rest) ? "fleet" : first), rest, io);
  }
  // not a command: a pid (or a flag) for the default command, unless it is a command name mistyped
  if (!first.startsWith("-") && !/^\d+$/.test(first) && nearMiss(first, commandNames) !== undefined) throw unknownCommand(first);
  return runCommandLine(await loadCommand(isFleet(argv) ? "fleet" : "report"), argv, io);
}
