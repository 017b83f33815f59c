#!/usr/bin/env node
// The entry point: argv → command → exit code. Errors end as one line on stderr, never a stack.
import { readFileSync } from "node:fs";
import type { CommandContext } from "../src/commands/context.js";
import { EXIT, RssdriftError } from "../src/errors.js";
import { printable } from "../src/text/printable.js";
import { guardOutput } from "../src/output/output-policy.js";

const usage = `rssdrift: what the Linux kernel really counts as a process's resident memory

Linux keeps RSS in cached counters (mm->rss_stat): per-CPU since v6.2, per-thread before. So
/proc/PID/statm (what psutil, top and CI memory tests read) can be short by pages parked in each
CPU's slot: up to ≈ 2·N² pages per counter on N CPUs. rssdrift reads the counters (with a BPF
program, or drgn) and shows the cached count, the exact sum, the drift, where it sits and the bound.

Usage:
  rssdrift <pid> [--json|--markdown]     one report, then exit            (rssdrift --help report)
  rssdrift watch <pid>                   a live view beside a paused test (rssdrift watch --help)
  rssdrift replay FILE.jsonl             play back a --record'ed session  (rssdrift replay --help)
  rssdrift bound [--cpus 8,32,128]       how wrong can statm be on a machine like X? (no root)
  rssdrift doctor [--host H]             check what each kernel backend needs, with fixes
  rssdrift <pid> --host a --host b       one row per host (fleet mode; also --hosts-file, --pgrep)

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

type Command = (argv: string[], ctx: CommandContext) => Promise<number>;

/** Commands are loaded on demand, so `rssdrift bound` does not load Ink or ssh2. */
const commands: Record<string, () => Promise<Command>> = {
  watch: async () => (await import("../src/commands/watch.js")).watchCommand,
  replay: async () => (await import("../src/commands/replay.js")).replayCommand,
  bound: async () => (await import("../src/commands/bound.js")).boundCommand,
  doctor: async () => (await import("../src/commands/doctor.js")).doctorCommand,
  report: async () => (await import("../src/commands/report.js")).reportCommand,
};

/** Several hosts, a hosts file or a process name: one row per host instead of one report. */
function isFleet(argv: string[]): boolean {
  const hosts = argv.filter((arg) => arg === "--host" || arg.startsWith("--host=")).length;
  return hosts > 1 || argv.some((arg) => /^--(hosts-file|pgrep)(=|$)/.test(arg));
}

async function run(argv: string[], ctx: CommandContext): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === "-h" || first === "--help" || first === "help") {
    if (rest[0] && commands[rest[0]]) return (await commands[rest[0]]!())(["--help"], ctx);
    ctx.stdout.write(`${usage}\n`);
    return first === undefined ? EXIT.badInput : EXIT.ok;
  }
  if (first === "--version" || first === "-V") {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    ctx.stdout.write(`rssdrift ${pkg.version}\n`);
    return EXIT.ok;
  }
  const named = commands[first];
  if (named && first !== "report") return (await named())(rest, ctx);
  if (isFleet(argv)) {
    const [{ fleetCommand }, { sampleOnceOn }] = await Promise.all([
      import("../src/commands/fleet.js"),
      import("../src/commands/report.js"),
    ]);
    return fleetCommand(argv, ctx, sampleOnceOn(argv, ctx));
  }
  return (await commands.report!())(first === "report" ? rest : argv, ctx);
}

/** The one line an error ends in. Messages quote helpers, remote shells, recordings and hosts: made printable here. */
function describe(err: unknown): { line: string; code: number } {
  if (err instanceof RssdriftError) {
    return { line: `rssdrift: ${printable(err.message)}${err.hint ? ` (fix: ${printable(err.hint)})` : ""}`, code: err.exitCode };
  }
  const message = printable(err instanceof Error ? err.message : String(err));
  const stack = process.env.RSSDRIFT_DEBUG && err instanceof Error ? `\n${(err.stack ?? "").split("\n").map(printable).join("\n")}` : " (RSSDRIFT_DEBUG=1 shows the stack)";
  return { line: `rssdrift: internal error: ${message}${stack}`, code: EXIT.internal };
}

/** how long an interrupted command may take to stop its helper before we exit anyway */
const INTERRUPT_GRACE_MS = 5000;

async function main(): Promise<void> {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    // a second Ctrl-C does not wait for the helper to stop
    if (controller.signal.aborted) process.exit(EXIT.interrupted);
    controller.abort(signal);
    // the command stops its helper and returns; should anything hang on the way, do not wait for
    // it (a remote helper still ends: its stdin closes with our connection)
    setTimeout(() => {
      process.stderr.write("rssdrift: interrupted\n");
      process.exit(EXIT.interrupted);
    }, INTERRUPT_GRACE_MS).unref();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("SIGHUP", onSignal);
  // a closed pipe or a full disk stops whatever runs; its status wins, even after main returned
  const output = guardOutput(process.stdout, process.stderr, (exitCode) => {
    process.exitCode = exitCode;
    controller.abort("output");
  });
  const ctx: CommandContext = {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    signal: controller.signal,
  };
  let code: number;
  try {
    code = await run(process.argv.slice(2), ctx);
  } catch (err) {
    const { line, code: exitCode } = controller.signal.aborted ? { line: "rssdrift: interrupted", code: EXIT.interrupted } : describe(err);
    if (output.exitCode === null) process.stderr.write(`${line}\n`);
    code = exitCode;
  }
  process.exitCode = output.exitCode ?? code;
  // Interrupted: whatever the signal could not reach (a resolver, an `ssh -G`, a socket still
  // connecting) must not keep us alive. Nothing written is lost: on Linux, Node writes stdout and
  // stderr synchronously to files, terminals and pipes alike.
  if (controller.signal.aborted) process.exit();
}

await main();
