// Picks and opens the SampleSource for a target: where the helper runs (this machine or SSH),
// whether it needs sudo, and which backend (drgn, procfs, or auto: drgn, else the estimate).
import type { TargetOptions } from "../commands/target-options.js";
import { EXIT, RssdriftError } from "../errors.js";
import type { HelperLine } from "../schema/helper-line.js";
import { localTransport } from "../transports/local-transport.js";
import { runCommand } from "../transports/run-command.js";
import type { Transport } from "../transports/transport.js";
import { openDrgnSource } from "./drgn-source.js";
import { openProcfsSource } from "./procfs-source.js";
import type { SampleSource } from "./sample-source.js";

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

/**
 * auto: starts drgn and reads up to its hello line. A missing prerequisite (no root, drgn,
 * kcore or debug info) falls back to the procfs estimate and says why; other errors stand.
 */
async function drgnOrEstimate(transport: Transport, target: TargetOptions, sudo: boolean, notice: Notice): Promise<SampleSource> {
  let drgn: SampleSource | undefined;
  const early: HelperLine[] = [];
  try {
    drgn = await openDrgnSource(transport, { ...target, sudo });
    const iterator = drgn[Symbol.asyncIterator]();
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      if (next.value.type === "progress") notice(next.value.message);
      else early.push(next.value);
      if (next.value.type === "hello") break;
    }
    return prefixed(drgn, early, iterator);
  } catch (err) {
    await drgn?.close();
    if (!(err instanceof RssdriftError) || err.exitCode !== EXIT.missingPrerequisite) throw err;
    notice(`drgn cannot run on ${transport.where}: ${err.message}`);
    if (err.hint) notice(`  to read the real counters: ${err.hint}`);
    notice("falling back to the procfs estimate (--backend procfs): cached from /proc/PID/stat, truth from smaps_rollup");
    return openProcfsSource(transport, target);
  }
}

/** Opens the target's backend over a transport the caller owns (fleet mode shares one per host). */
export async function openSourceOn(transport: Transport, target: TargetOptions, notice: Notice): Promise<SampleSource> {
  if (target.backend === "procfs") return openProcfsSource(transport, target);
  const sudo = await needsSudo(transport);
  if (sudo) notice(`not root on ${transport.where}: running the drgn helper with sudo -n`);
  return target.backend === "drgn"
    ? openDrgnSource(transport, { ...target, sudo })
    : drgnOrEstimate(transport, target, sudo, notice);
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
