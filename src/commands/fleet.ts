// Fleet mode: `rssdrift <pid> --host a --host b …` (or --hosts-file, --pgrep NAME, or `rssdrift
// fleet …`): one sample on each host over SSH, a bounded number at a time, and one table with a
// row per host.
import { readFileSync } from "node:fs";
import type { AnalysedSample } from "../analysis/types.js";
import { EXIT, RssdriftError } from "../errors.js";
import { toJsonReport, type JsonReport } from "../report/json.js";
import { padColumns } from "../report/layout.js";
import { printable, printableJson } from "../text/printable.js";
import { runCommand } from "../transports/run-command.js";
import { parseSshTarget } from "../transports/ssh-target.js";
import { openSshTransport, type SshEnvironment } from "../transports/ssh-transport.js";
import type { Transport } from "../transports/transport.js";
import { commonFlagsHelp, defineCommand, type Command, type CommandValues } from "./command.js";
import { FLEET_ESTIMATE_NOTE, NO_ESTIMATE } from "../vocabulary/backends.js";
import { formatBytes, formatPercent, formatSignedBytes, formatSignedPages } from "../vocabulary/quantities.js";
import type { CommandContext } from "./context.js";
import { deadlineFlagHelp, deadlineFlags, firstSampleDeadlineMs } from "./deadline-option.js";
import { sampleOnceOn, type SampleOnce } from "./one-reading.js";
import { badInput, wholeNumber } from "./parse-flags.js";
import { parsePid, targetFlags, targetFlagsHelp, targetFrom } from "./target-options.js";

export const fleetHelp = `Usage: rssdrift <pid> --host A --host B … [--json] [target options]
       rssdrift --pgrep NAME --hosts-file FILE [--parallel N]
       rssdrift fleet <pid> --host A …   the same, also for one host

Takes one reading on each host over SSH and prints one row per host: kernel, CPUs, batch, the
worst-case drift (bound), the RSS drift now and how much of the bound it is, or why that host failed.
A second --host, --hosts-file or --pgrep makes \`rssdrift <pid>\` fleet mode.

Fleet:
  --host [user@]host[:port]  a host (repeat it); aliases from ~/.ssh/config work
  --hosts-file FILE          one [user@]host[:port] per line; # starts a comment
  --pgrep NAME               on each host, the oldest process named exactly NAME (pgrep -xo)
  --parallel N               hosts sampled at once (default 4)
  --json                     an array with one object per host
${deadlineFlagHelp.replace("no sample came", "a host sent no sample")}
${commonFlagsHelp(29)}

${targetFlagsHelp}

Exit codes: 0 when every host gave a reading, else the highest exit code among the failed hosts
(3 the process is gone, 4 a missing prerequisite, 6 SSH, 7 a host key…); 2 bad input, before
any host is asked.

Examples:
  rssdrift 1234 --host ci-1 --host ci-2            pid 1234 on two hosts
  rssdrift --pgrep pytest --hosts-file runners.txt --json
                                                   the oldest pytest on every runner, as JSON`;

const fleetFlags = {
  "hosts-file": { type: "string" },
  pgrep: { type: "string" },
  parallel: { type: "string" },
  json: { type: "boolean", default: false },
  ...deadlineFlags,
  ...targetFlags,
} as const;

const DEFAULT_PARALLEL = 4;

export type FleetRow =
  | { host: string; ok: true; pid: number; sample: AnalysedSample }
  | { host: string; ok: false; pid?: number; error: RssdriftError };

/** Hosts from a file: one per line, blank lines and # comments skipped, each checked. */
export function parseHostsFile(text: string, file: string): string[] {
  const hosts: string[] = [];
  text.split("\n").forEach((raw, index) => {
    const line = raw.replace(/(^|\s)#.*$/, "").trim();
    if (line === "") return;
    try {
      parseSshTarget(line);
    } catch (error) {
      throw badInput(`${file}:${index + 1}: ${(error as Error).message}`);
    }
    hosts.push(line);
  });
  return hosts;
}

function readHostsFile(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw badInput(`cannot read the hosts file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return parseHostsFile(text, file);
}

function parseParallel(text: string | undefined): number {
  if (text === undefined) return DEFAULT_PARALLEL;
  const parallel = wholeNumber(text, 1, 256);
  if (parallel === null) throw badInput(`--parallel takes a number from 1 to 256, not ${JSON.stringify(text)}`);
  return parallel;
}

/** The oldest process named exactly `name` on the host (pgrep -xo), as a pid. */
export async function pgrepOldest(transport: Transport, name: string): Promise<number> {
  const { stdout, stderr, exit } = await runCommand(transport, ["pgrep", "-xo", "--", name]);
  if (exit.code === 1) {
    throw new RssdriftError(`no process named ${name} on ${transport.where}`, EXIT.targetGone, undefined, "no-such-process");
  }
  const pid = Number(stdout.trim().split("\n")[0]);
  if (exit.code !== 0 || !Number.isInteger(pid) || pid <= 0) {
    const why = stderr.trim().split("\n")[0] || `exit ${exit.code ?? exit.signal}`;
    throw new RssdriftError(
      `pgrep failed on ${transport.where}: ${why}`,
      EXIT.missingPrerequisite,
      "install procps on the target",
      "pgrep-failed",
    );
  }
  return pid;
}

function asRssdriftError(error: unknown): RssdriftError {
  if (error instanceof RssdriftError) return error;
  return new RssdriftError(
    `internal error: ${error instanceof Error ? error.message : String(error)}`,
    EXIT.internal,
    undefined,
    "internal",
  );
}

/** Runs task over items, at most `limit` at a time, keeping the items' order in the results. */
async function mapBounded<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < items.length; index = next++) results[index] = await task(items[index]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * The table: a row per host, numbers right-aligned; a failed host's row carries its one line.
 * Hosts (from a file), releases and error messages (quoting remote output) are made printable here.
 */
export function renderFleetTable(rows: readonly FleetRow[]): string {
  const header = ["HOST", "PID", "KERNEL", "BACKEND", "CPUS", "BATCH", "BOUND", "RSS DRIFT", "DRIFT/BOUND"];
  const table: string[][] = [header];
  const failures: string[] = [];
  let estimates = false;
  for (const row of rows) {
    if (!row.ok) {
      table.push([printable(row.host), row.pid === undefined ? "–" : String(row.pid), "error (below)", "", "", "", "", "", ""]);
      failures.push(printable(`${row.host}: ${row.error.message}${row.error.hint ? ` (fix: ${row.error.hint})` : ""}`));
      continue;
    }
    const { analysis, hello } = row.sample;
    const mark = analysis.estimate ? "*" : "";
    estimates ||= analysis.estimate;
    table.push([
      printable(row.host),
      String(row.pid),
      printable(hello.kernel),
      hello.backend,
      String(analysis.onlineCpus),
      analysis.batch === null ? "–" : String(analysis.batch),
      `${analysis.bound.pagesForRss} pages (${formatBytes(analysis.bound.pagesForRss * analysis.pageSize)})`,
      analysis.rss
        ? `${formatSignedPages(analysis.rss.driftPages)} pages (${formatSignedBytes(analysis.rss.driftBytes)})${mark}`
        : `${NO_ESTIMATE}${mark}`,
      analysis.rss ? formatPercent(analysis.rss.fractionOfBound) : "–",
    ]);
  }
  const aligns = ["left", "right", "left", "left", "right", "right", "right", "right", "right"] as const;
  const lines = padColumns(table, aligns).map((cells) => cells.join("  ").trimEnd());
  const notes = [...(estimates ? [`* ${FLEET_ESTIMATE_NOTE}`] : []), ...failures.map((line) => `✗ ${line}`)];
  return `${[...lines, ...(notes.length > 0 ? ["", ...notes] : [])].join("\n")}\n`;
}

interface FleetJsonRow {
  host: string;
  ok: boolean;
  pid: number | null;
  kernel?: string;
  /** what read the numbers: bpf, drgn or procfs (report.backend says what auto skipped, and why) */
  backend?: string;
  era?: string;
  cpus?: number;
  batch?: number | null;
  estimate?: boolean;
  bound?: { pages: number; bytes: number };
  drift?: { pages: number; bytes: number } | null;
  driftOverBound?: number | null;
  /** the full single-host JSON report (rssdrift-report/1) */
  report?: JsonReport;
  error?: { code: string; exitCode: number; message: string; hint: string | null };
}

export function fleetJson(rows: readonly FleetRow[]): FleetJsonRow[] {
  return rows.map((row) => {
    if (!row.ok) {
      const { code, exitCode, message, hint } = row.error;
      return { host: row.host, ok: false, pid: row.pid ?? null, error: { code, exitCode, message, hint: hint ?? null } };
    }
    const { analysis, hello } = row.sample;
    return {
      host: row.host,
      ok: true,
      pid: row.pid,
      kernel: hello.kernel,
      backend: hello.backend,
      era: analysis.era,
      cpus: analysis.onlineCpus,
      batch: analysis.batch,
      estimate: analysis.estimate,
      bound: { pages: analysis.bound.pagesForRss, bytes: analysis.bound.pagesForRss * analysis.pageSize },
      // null when the process changed while /proc was read (analysis.unstable): no estimate
      drift: analysis.rss ? { pages: analysis.rss.driftPages, bytes: analysis.rss.driftBytes } : null,
      driftOverBound: analysis.rss ? analysis.rss.fractionOfBound : null,
      report: toJsonReport(row.sample),
    };
  });
}

/** 0 when every row succeeded, else the highest exit code among the failed rows. */
export function fleetExitCode(rows: readonly FleetRow[]): number {
  return rows.reduce((worst, row) => (row.ok ? worst : Math.max(worst, row.error.exitCode)), EXIT.ok as number);
}

/**
 * The fleet command; `sampleOnce` replaces the real reading of each host (tests); by default it
 * reads the pid with the backend and flags of the command line (src/commands/one-reading.ts).
 */
export function fleetCommandWith(sampleOnce?: SampleOnce): Command<typeof fleetFlags> {
  return defineCommand({
    name: "fleet",
    help: fleetHelp,
    flags: fleetFlags,
    operands: { max: 1, what: "fleet mode reads one pid on each host" },
    run: ({ values, operands }, ctx) => runFleet(values, operands, ctx, sampleOnce),
  });
}

export const fleetCommand = fleetCommandWith();

async function runFleet(
  values: CommandValues<typeof fleetFlags>,
  operands: string[],
  ctx: CommandContext,
  sampleOnce?: SampleOnce,
): Promise<number> {
  const pgrep = values.pgrep;
  if (pgrep !== undefined && operands.length > 0) throw badInput("give a pid or --pgrep NAME, not both");
  if (pgrep === undefined && operands.length === 0) throw badInput("which process? give a pid, or --pgrep NAME to find it on each host");
  const givenPid = pgrep === undefined ? parsePid(operands[0]) : undefined;
  if (pgrep !== undefined && !/^[^\s/]{1,15}$/.test(pgrep)) {
    throw badInput(
      `--pgrep takes a process name as the kernel keeps it (1 to 15 characters, no / or spaces), not ${JSON.stringify(pgrep)}`,
    );
  }
  const target = targetFrom(values, { defaultIntervalMs: 1000, signal: ctx.signal, env: ctx.env });
  const hostsFile = values["hosts-file"];
  const hosts = [...(values.host ?? []), ...(hostsFile !== undefined ? readHostsFile(hostsFile) : [])];
  if (hosts.length === 0) throw badInput("no hosts: give --host (repeat it) or --hosts-file FILE");
  const parallel = parseParallel(values.parallel);
  const readHost = sampleOnce ?? sampleOnceOn(target, ctx, firstSampleDeadlineMs(values.timeout, ctx.env));

  const open = new Set<Transport>();
  const closeAll = () => void Promise.all([...open].map((transport) => transport.close().catch(() => undefined)));
  ctx.signal.addEventListener("abort", closeAll, { once: true });
  // one key cache for every host: an encrypted key's passphrase is asked once for the whole fleet
  const environment: SshEnvironment = { env: ctx.env, ...(ctx.env.HOME ? { home: ctx.env.HOME } : {}), keyCache: new Map() };

  const sampleHost = async (host: string): Promise<FleetRow> => {
    let transport: Transport | undefined;
    let pid = givenPid;
    try {
      if (ctx.signal.aborted) throw new RssdriftError("interrupted", EXIT.interrupted, undefined, "interrupted");
      const notice = (line: string) => ctx.stderr.write(`rssdrift: ${printable(`${host}: ${line}`)}\n`);
      transport = await openSshTransport(host, target.ssh, notice, environment);
      open.add(transport);
      if (ctx.signal.aborted) throw new RssdriftError("interrupted", EXIT.interrupted, undefined, "interrupted");
      pid ??= await pgrepOldest(transport, pgrep!);
      return { host, ok: true, pid, sample: await readHost(transport, pid) };
    } catch (error) {
      return { host, ok: false, ...(pid !== undefined ? { pid } : {}), error: asRssdriftError(error) };
    } finally {
      if (transport) {
        open.delete(transport);
        await transport.close().catch(() => undefined);
      }
    }
  };

  try {
    const rows = await mapBounded(hosts, parallel, sampleHost);
    if (ctx.signal.aborted) return EXIT.interrupted;
    ctx.stdout.write(values.json ? `${printableJson(fleetJson(rows), 2)}\n` : renderFleetTable(rows));
    return fleetExitCode(rows);
  } finally {
    ctx.signal.removeEventListener("abort", closeAll);
  }
}
