#!/usr/bin/env node
// The entry point: the process's streams, signals and exit code around `runRssdrift`
// (src/commands/dispatch.ts). Errors end as one line on stderr, never a stack.
import type { ProcessContext } from "../src/commands/context.js";
import { runRssdrift } from "../src/commands/dispatch.js";
import { EXIT, RssdriftError } from "../src/errors.js";
import { guardOutput } from "../src/output/output-policy.js";
import { printable } from "../src/text/printable.js";

/** The one line an error ends in. Messages quote helpers, remote shells, recordings and hosts: made printable here. */
function describe(err: unknown): { line: string; code: number } {
  if (err instanceof RssdriftError) {
    return { line: `rssdrift: ${printable(err.message)}${err.hint ? ` (fix: ${printable(err.hint)})` : ""}`, code: err.exitCode };
  }
  const message = printable(err instanceof Error ? err.message : String(err));
  const stack =
    process.env.RSSDRIFT_DEBUG && err instanceof Error
      ? `\n${(err.stack ?? "").split("\n").map(printable).join("\n")}`
      : " (RSSDRIFT_DEBUG=1 shows the stack)";
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
  const io: ProcessContext = {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    signal: controller.signal,
  };
  let code: number;
  try {
    code = await runRssdrift(process.argv.slice(2), io);
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
