// `npm run demo`: starts scripts/drift-target (a paused process that parked pages on every CPU)
// and runs the one-shot report on it, exactly as `rssdrift <pid>` would: as root on a kernel with
// BTF the default backend reads the real counters with bpf; elsewhere it falls back (drgn, then the
// procfs estimate) and says why in one line per skipped backend.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { runCommandLine } from "../src/commands/command.js";
import { reportCommand } from "../src/commands/report.js";
import { EXIT, RssdriftError } from "../src/errors.js";

const driftTarget = fileURLToPath(new URL("../../scripts/drift-target", import.meta.url));

interface ReadyLine {
  ready: true;
  pid: number;
  cpus: number[];
  pages_per_cpu: number;
}

async function startTarget(): Promise<{ ready: ReadyLine; stop: () => void }> {
  // stdin stays a pipe: when this process ends, the target sees EOF and exits too; -I: nothing
  // from this directory or PYTHONPATH is imported (`sudo npm run demo` runs it as root)
  const child = spawn("python3", ["-I", driftTarget, "--pages", "100"], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout });
  for await (const line of lines) {
    const ready = JSON.parse(line) as ReadyLine;
    return { ready, stop: () => child.kill("SIGTERM") };
  }
  throw new RssdriftError("drift-target exited before it was ready", EXIT.internal);
}

async function main(): Promise<number> {
  process.stderr.write("rssdrift demo: starting scripts/drift-target (one thread pinned per CPU, 100 pages each)…\n");
  const { ready, stop } = await startTarget();
  process.stderr.write(
    `rssdrift demo: pid ${ready.pid} touched ${ready.pages_per_cpu} pages on CPUs ${ready.cpus.join(",")} and is paused; running \`rssdrift ${ready.pid}\`\n\n`,
  );
  try {
    return await runCommandLine(reportCommand, [String(ready.pid)], {
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
      env: process.env,
      signal: new AbortController().signal,
    });
  } finally {
    stop();
  }
}

try {
  process.exitCode = await main();
} catch (err) {
  const hint = err instanceof RssdriftError && err.hint ? ` (fix: ${err.hint})` : "";
  process.stderr.write(`rssdrift demo: ${err instanceof Error ? err.message : String(err)}${hint}\n`);
  process.exitCode = err instanceof RssdriftError ? err.exitCode : EXIT.internal;
}
