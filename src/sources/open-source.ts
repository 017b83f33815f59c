// Picks and opens the SampleSource for a target: where the helper runs (this machine or SSH),
// whether it needs sudo, and which backend (bpf, drgn, procfs, or auto: bpf, drgn, the estimate).
import type { BackendChoice, BackendSkip } from "../analysis/types.js";
import type { HelperLine } from "../schema/helper-line.js";
import { localTransport } from "../transports/local-transport.js";
import { runCommand } from "../transports/run-command.js";
import type { Transport } from "../transports/transport.js";
import { FALLING_BACK_TO_PROCFS, skipLine } from "../vocabulary/backends.js";
import { AUTO_ORDER, backendCannotRun, skipOf } from "./backend-choice.js";
import type { HelperOptions } from "./helper-launch.js";
import { openHelperSource } from "./helper-source.js";
import { openProcfsSource } from "./procfs-source.js";
import type { SampleSource } from "./sample-source.js";
import type { TargetOptions } from "./target.js";

export type Notice = (line: string) => void;

export interface OpenOptions {
  /** over SSH, reconnect after a dropped link and restart the helper (watch), instead of failing */
  reconnect?: boolean;
}

async function openTransport(target: TargetOptions, notice: Notice, options: OpenOptions): Promise<Transport> {
  if (target.host === undefined) return localTransport();
  // loaded only when needed: local runs do not pay for ssh2
  if (options.reconnect) {
    const { ReconnectingSshTransport } = await import("../transports/ssh-reconnect.js");
    return ReconnectingSshTransport.open(target.host, target.ssh, notice);
  }
  const { openSshTransport } = await import("../transports/ssh-transport.js");
  return openSshTransport(target.host, target.ssh, notice);
}

/** Asks the target itself, so a local run, --host and --hosts-file all decide alike. */
async function needsSudo(transport: Transport): Promise<boolean> {
  const { stdout } = await runCommand(transport, ["id", "-u"]);
  return stdout.trim() !== "0";
}

/** A source that first replays lines already read from another one, then continues it. */
function prefixed(source: SampleSource, early: HelperLine[], rest: AsyncIterator<HelperLine>): SampleSource {
  async function* lines(): AsyncGenerator<HelperLine> {
    yield* early;
    for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
  }
  const iterator = lines();
  return { ...source, origin: source.origin, [Symbol.asyncIterator]: () => iterator };
}

/** The same source, labelled with how its backend was picked. */
function chosen(source: SampleSource, backend: BackendChoice): SampleSource {
  return { ...source, origin: source.origin, backend, [Symbol.asyncIterator]: () => source[Symbol.asyncIterator]() };
}

/**
 * Starts a helper backend and reads up to its first sample, so that a backend that cannot run
 * here (no BTF, no drgn, a read that fails its own check) fails now, while auto can still move on.
 */
async function startedHelper(transport: Transport, options: HelperOptions, notice: Notice, script?: Buffer): Promise<SampleSource> {
  let source: SampleSource | undefined;
  const early: HelperLine[] = [];
  try {
    source = await openHelperSource(transport, options, script);
    const iterator = source[Symbol.asyncIterator]();
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      if (next.value.type === "progress") notice(next.value.message);
      else early.push(next.value);
      if (next.value.type === "sample") break;
    }
    return prefixed(source, early, iterator);
  } catch (err) {
    await source?.close();
    throw err;
  }
}

/**
 * auto: bpf, then drgn, then the procfs estimate. A backend that cannot run here is skipped
 * with one line saying why; a target error (no such pid, a zombie…) stands at once.
 */
async function autoSource(
  transport: Transport,
  target: TargetOptions,
  sudo: boolean,
  notice: Notice,
  script?: Buffer,
): Promise<SampleSource> {
  const skipped: BackendSkip[] = [];
  for (const backend of AUTO_ORDER) {
    try {
      const source = await startedHelper(transport, { ...target, backend, sudo }, notice, script);
      return chosen(source, { requested: "auto", used: backend, skipped });
    } catch (err) {
      if (!backendCannotRun(err)) throw err;
      const skip = skipOf(backend, err);
      skipped.push(skip);
      notice(skipLine(skip));
    }
  }
  notice(FALLING_BACK_TO_PROCFS);
  return chosen(await openProcfsSource(transport, target), { requested: "auto", used: "procfs", skipped });
}

/**
 * Opens the backend --backend names, the helper with or without `sudo -n`. `script` replaces
 * helpers/rss_stat.py, for tests of the backend order with scripted helpers.
 */
export async function openBackend(
  transport: Transport,
  target: TargetOptions,
  sudo: boolean,
  notice: Notice,
  script?: Buffer,
): Promise<SampleSource> {
  const explicit = (used: BackendChoice["used"]): BackendChoice => ({ requested: target.backend, used, skipped: [] });
  switch (target.backend) {
    case "procfs":
      return chosen(await openProcfsSource(transport, target), explicit("procfs"));
    case "auto":
      return autoSource(transport, target, sudo, notice, script);
    default:
      return chosen(await openHelperSource(transport, { ...target, backend: target.backend, sudo }, script), explicit(target.backend));
  }
}

/** Opens the target's backend over a transport the caller owns (fleet mode shares one per host). */
export async function openSourceOn(transport: Transport, target: TargetOptions, notice: Notice): Promise<SampleSource> {
  if (target.backend === "procfs") return openBackend(transport, target, false, notice);
  const sudo = await needsSudo(transport);
  if (sudo) notice(`not root on ${transport.where}: running the helper with sudo -n`);
  return openBackend(transport, target, sudo, notice);
}

/** Opens the transport the target names and the source on it; closing the source closes both. */
export async function openSampleSource(target: TargetOptions, notice: Notice, options: OpenOptions = {}): Promise<SampleSource> {
  const transport = await openTransport(target, notice, options);
  try {
    const source = await openSourceOn(transport, target, notice);
    return {
      ...source,
      [Symbol.asyncIterator]: () => source[Symbol.asyncIterator](),
      async close() {
        await source.close();
        await transport.close();
      },
    };
  } catch (err) {
    await transport.close();
    throw err;
  }
}
