// The kernel lab VMs (scripts/lab/lab) as lab tests use them: boot a suite for a describe block
// unless it is already up (and power off only what this file booted), run commands in the guest,
// and copy files in. Every boot is pristine (the disk is opened with snapshot=on), so files are
// copied after each boot.
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { afterAll, beforeAll } from "vitest";
import { LAB, labEnv, labUp, type LabEnv } from "../../scripts/lab-env.js";

export const labScript = LAB;

export type LabSuite = "trixie" | "bookworm";

export { labEnv, type LabEnv };

export interface LabVmHooks {
  /** runs once the VM is reachable, e.g. to copy files in */
  afterBoot?: (env: LabEnv) => Promise<void>;
  /** runs before the VM would be powered off (also when it is left up), e.g. to end processes */
  beforeDown?: (env: LabEnv) => Promise<void>;
}

/**
 * Registers beforeAll/afterAll for a describe block: boots the suite unless it is up (another
 * engineer's VM is shared, not booted twice) and powers off only a VM booted here. Returns a
 * getter for the lab env.
 */
export function useLabVm(suite: LabSuite, hooks: LabVmHooks = {}): () => LabEnv {
  let env: LabEnv = {};
  let startedHere = false;
  beforeAll(async () => {
    startedHere = labUp(suite).bootedHere;
    env = labEnv(suite);
    await hooks.afterBoot?.(env);
  });
  afterAll(async () => {
    try {
      await hooks.beforeDown?.(env);
    } finally {
      // leave a VM someone else booted running; power off only the one this file booted
      if (startedHere) execFileSync(labScript, ["down", suite], { stdio: "inherit" });
    }
  });
  return () => env;
}

export interface GuestResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs argv in the guest as root (`lab ssh SUITE -- argv…`: each word arrives as one word) and
 * waits for it; `input` is written to its stdin. Asynchronous, so other children keep running.
 */
export function inGuest(suite: LabSuite, argv: string[], input?: string | Buffer): Promise<GuestResult> {
  return outputOf(spawn(labScript, ["ssh", suite, "--", ...argv], { stdio: ["pipe", "pipe", "pipe"] }), input);
}

/** Writes `input` (or nothing) to a child's stdin and collects its output until it ends. */
export function outputOf(child: ChildProcessWithoutNullStreams, input?: string | Buffer): Promise<GuestResult> {
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** inGuest, failing with the guest's stderr unless the command exits 0; returns stdout */
export async function inGuestOk(suite: LabSuite, argv: string[], input?: string | Buffer): Promise<string> {
  const result = await inGuest(suite, argv, input);
  if (result.code !== 0) throw new Error(`in the ${suite} guest, \`${argv.join(" ")}\` exited ${result.code}: ${result.stderr.trim()}`);
  return result.stdout;
}

/** Writes `content` to `path` in the guest (through ssh's stdin: no scp needed) with the given mode. */
export async function copyToGuest(suite: LabSuite, content: Buffer, path: string, mode = "755"): Promise<void> {
  await inGuestOk(suite, ["sh", "-c", 'mkdir -p "$(dirname "$1")" && cat > "$1" && chmod "$2" "$1"', "sh", path, mode], content);
}

/** The guest's online CPUs, from /sys/devices/system/cpu/online ("0-3" → [0, 1, 2, 3]). */
export async function guestOnlineCpus(suite: LabSuite): Promise<number[]> {
  const text = await inGuestOk(suite, ["cat", "/sys/devices/system/cpu/online"]);
  return text
    .trim()
    .split(",")
    .flatMap((part) => {
      const [low, high = low] = part.split("-").map(Number);
      return Array.from({ length: high - low + 1 }, (_, i) => low + i);
    });
}
