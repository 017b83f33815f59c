// scripts/drift-target running in a lab guest for a test: started over `lab ssh` with its stdin
// kept open, so the ssh child on this host is its lifeline (ending stdin ends the target through
// EOF, and a test runner that dies takes it along). Its ready line says which pid to read.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { copyToGuest, inGuestOk, labScript, type LabSuite } from "./lab-vm.js";

const driftTargetSource = new URL("../../scripts/drift-target", import.meta.url);

/** where the tests put drift-target in a guest; removed again by removeDriftTarget() */
export const GUEST_DRIFT_TARGET = "/tmp/rssdrift-lab-kernel-test/drift-target";

/** drift-target's ready line */
export interface DriftTargetReady {
  ready: true;
  pid: number;
  mode: "cpus" | "seed";
  cpus: number[];
  pages_per_cpu: number;
  page_size: number;
  bytes_touched: number;
}

export interface GuestDriftTarget {
  ready: DriftTargetReady;
  pid: number;
  /** resolves when the ssh child has exited (the target has ended, or the link was cut) */
  ended: Promise<void>;
  /** ends the target through stdin EOF and waits for the ssh child */
  stop(): Promise<void>;
}

export async function copyDriftTarget(suite: LabSuite): Promise<void> {
  await copyToGuest(suite, readFileSync(driftTargetSource), GUEST_DRIFT_TARGET);
}

export async function removeDriftTarget(suite: LabSuite): Promise<void> {
  await inGuestOk(suite, ["rm", "-rf", GUEST_DRIFT_TARGET.slice(0, GUEST_DRIFT_TARGET.lastIndexOf("/"))]);
}

/** Starts drift-target with `args` (e.g. ["--cpus", "1,3", "--pages", "100"]) and waits for its ready line. */
export async function startDriftTarget(suite: LabSuite, args: string[]): Promise<GuestDriftTarget> {
  const child: ChildProcessWithoutNullStreams = spawn(labScript, ["ssh", suite, "--", "python3", "-I", GUEST_DRIFT_TARGET, ...args], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.on("error", () => undefined); // EPIPE once the target (and so ssh) has ended: expected
  const ended = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const lines = createInterface({ input: child.stdout });
  const first = await new Promise<string | undefined>((resolve) => {
    lines.once("line", resolve);
    lines.once("close", () => resolve(undefined));
  });
  lines.close();
  child.stdout.resume();
  if (first === undefined) {
    throw new Error(`drift-target ${args.join(" ")} ended without a ready line: ${stderr.trim()}`);
  }
  const ready = JSON.parse(first) as DriftTargetReady;
  return {
    ready,
    pid: ready.pid,
    ended,
    async stop() {
      child.stdin.end();
      // EOF ends the target and with it the session; a link that hangs is cut
      const cut = setTimeout(() => child.kill("SIGTERM"), 30_000);
      await ended;
      clearTimeout(cut);
    },
  };
}
