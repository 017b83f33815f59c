// Fleet mode against three real SSH servers on loopback: concurrent rows, --pgrep resolved on
// each host through its transport, a failing host, the table, --json and the exit code.
import { spawn, type ChildProcess } from "node:child_process";
import { symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AnalysedSample } from "../../../src/analysis/types.js";
import { runCommandLine } from "../../../src/commands/command.js";
import type { ProcessContext } from "../../../src/commands/context.js";
import { fleetCommandWith } from "../../../src/commands/fleet.js";
import { analyse } from "../../../src/analysis/analyse.js";
import { EXIT } from "../../../src/errors.js";
import { openHelperSource } from "../../../src/sources/helper-source.js";
import { firstSample } from "../../../src/sources/first-sample.js";
import { runCommand } from "../../../src/transports/run-command.js";
import type { Transport } from "../../../src/transports/transport.js";
import { handMadeHello, handMadeSample, seedCounters } from "../../fixtures/hand-made-samples.js";
import { makeKey, removeDir, startTestServer, tempDir, writeSshConfig, type KeyFiles, type TestServer } from "./ssh-test-server.js";

let dir: string;
let servers: Record<string, TestServer> = {};
let hostKeys: Record<string, KeyFiles> = {};
let config: string;
let knownHosts: string;
let sleepers: ChildProcess[] = [];
const PROCESS_NAME = "fleetsleeper";

beforeAll(async () => {
  dir = tempDir("ssh-fleet");
  const userKey = makeKey(dir, "user_key");
  for (const name of ["alpha", "beta", "gamma"]) {
    hostKeys[name] = makeKey(dir, `${name}_host_key`);
    // each server's commands see which host they run on, so a row can prove where it came from
    servers[name] = await startTestServer({ hostKey: hostKeys[name]!, authorizedKeys: [userKey], env: { FLEET_HOST: name } });
  }
  knownHosts = join(dir, "known_hosts");
  // gamma's key is not on record: its row fails with a host-key error
  writeFileSync(
    knownHosts,
    `${["alpha", "beta"].map((name) => `[127.0.0.1]:${servers[name]!.port} ${hostKeys[name]!.publicLine}`).join("\n")}\n`,
  );
  const hosts: Record<string, Record<string, string | number>> = {};
  for (const name of ["alpha", "beta", "gamma"]) {
    hosts[name] = {
      HostName: "127.0.0.1",
      Port: servers[name]!.port,
      User: "tester",
      IdentityFile: userKey.path,
      UserKnownHostsFile: knownHosts,
    };
  }
  config = writeSshConfig(join(dir, "config"), hosts);
  // two processes named fleetsleeper (a symlink to sleep): pgrep -xo must pick the older one
  symlinkSync("/bin/sleep", join(dir, PROCESS_NAME));
  for (let i = 0; i < 2; i++) {
    const sleeper = spawn(join(dir, PROCESS_NAME), ["1000"], { stdio: "ignore" });
    await new Promise((resolve) => sleeper.once("spawn", resolve));
    sleepers.push(sleeper);
  }
});
afterAll(async () => {
  for (const sleeper of sleepers) sleeper.kill();
  await Promise.all(Object.values(servers).map((server) => server.close()));
  removeDir(dir);
  servers = {};
  hostKeys = {};
  sleepers = [];
});

function context(): { ctx: ProcessContext; stdout: () => string; stderr: () => string } {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = "";
  let stderr = "";
  out.on("data", (chunk) => (stdout += chunk));
  err.on("data", (chunk) => (stderr += chunk));
  const ctx: ProcessContext = {
    stdin: new PassThrough(),
    stdout: out,
    stderr: err,
    env: { PATH: process.env.PATH, HOME: dir },
    signal: new AbortController().signal,
  };
  return { ctx, stdout: () => stdout, stderr: () => stderr };
}

/** A sample whose kernel names the host it was taken on (read through that host's transport). */
function sampleOnceRecording(calls: { pid: number; host: string }[]) {
  return async (transport: Transport, pid: number): Promise<AnalysedSample> => {
    const { stdout } = await runCommand(transport, ["sh", "-c", 'printf %s "$FLEET_HOST"']);
    calls.push({ pid, host: stdout });
    return handMadeSample(
      1,
      seedCounters,
      handMadeHello({ kernel: `6.12.0-${stdout}`, target: { pid, comm: PROCESS_NAME, start_time: 1, threads: 1 } }),
    );
  };
}

const fleetArgs = (...rest: string[]) => ["--ssh-config", config, "--host", "alpha", "--host", "beta", "--host", "gamma", ...rest];

describe("fleet mode", () => {
  it("samples every host, one row each, and exits with the failed row's code", async () => {
    const calls: { pid: number; host: string }[] = [];
    const { ctx, stdout } = context();
    const code = await runCommandLine(fleetCommandWith(sampleOnceRecording(calls)), ["4242", ...fleetArgs()], ctx);
    expect(code).toBe(EXIT.hostKey);
    expect(calls.map((call) => call.host).sort()).toEqual(["alpha", "beta"]);
    const lines = stdout().split("\n");
    expect(lines[0]).toMatch(/^HOST\s+PID\s+KERNEL\s+BACKEND\s+CPUS\s+BATCH\s+BOUND\s+RSS DRIFT\s+DRIFT\/BOUND$/);
    // the hand-made sample: 4 CPUs, batch 32 → 3 RSS counters × 4 CPUs × (32 − 1) = 372 pages = 1488 KiB;
    // its anon residue 31 + 3 − 2 and file residue 1 → +33 pages = 132 KiB, 33/372 = 9%
    expect(lines[1]).toMatch(/^alpha\s+4242\s+6\.12\.0-alpha\s+drgn\s+4\s+32\s+372 pages \(≈1\.5 MiB\)\s+\+33 pages \(\+132 KiB\)\s+9%$/);
    expect(lines[2]).toMatch(/^beta\s+4242\s+6\.12\.0-beta\s/);
    expect(lines[3]).toMatch(/^gamma\s+4242\s+error \(below\)$/);
    expect(stdout()).toContain(`✗ gamma: the authenticity of [127.0.0.1]:${servers.gamma!.port} cannot be established`);
    expect(stdout()).toContain(hostKeys.gamma!.fingerprint);
  });

  it("--pgrep finds the oldest exact match on each host; none → that row says so", async () => {
    const calls: { pid: number; host: string }[] = [];
    const { ctx, stdout } = context();
    const code = await runCommandLine(fleetCommandWith(sampleOnceRecording(calls)), ["--pgrep", PROCESS_NAME, ...fleetArgs("--json")], ctx);
    expect(code).toBe(EXIT.hostKey);
    const rows = JSON.parse(stdout()) as { host: string; ok: boolean; pid: number | null; kernel?: string; error?: { exitCode: number } }[];
    expect(rows.map((row) => [row.host, row.ok, row.pid])).toEqual([
      ["alpha", true, sleepers[0]!.pid],
      ["beta", true, sleepers[0]!.pid],
      ["gamma", false, null],
    ]);
    expect(rows[0]!.kernel).toBe("6.12.0-alpha");

    const missing = context();
    const missingCode = await runCommandLine(
      fleetCommandWith(sampleOnceRecording([])),
      ["--pgrep", "no-such-proc", "--ssh-config", config, "--host", "alpha", "--host", "beta", "--json"],
      missing.ctx,
    );
    expect(missingCode).toBe(EXIT.targetGone);
    const missingRows = JSON.parse(missing.stdout()) as { ok: boolean; error: { code: string; message: string } }[];
    expect(missingRows.map((row) => [row.ok, row.error.code])).toEqual([
      [false, "no-such-process"],
      [false, "no-such-process"],
    ]);
    expect(missingRows[0]!.error.message).toContain("no process named no-such-proc on tester@alpha");
  });

  it("runs hosts concurrently, never more than --parallel at once", async () => {
    let inFlight = 0;
    let most = 0;
    let release: () => void = () => undefined;
    const bothStarted = new Promise<void>((resolve) => (release = resolve));
    const sampleOnce = async (transport: Transport, pid: number) => {
      inFlight++;
      most = Math.max(most, inFlight);
      if (inFlight === 2) release();
      await bothStarted; // a serial pool would never get here: the test would time out
      const sample = await sampleOnceRecording([])(transport, pid);
      inFlight--;
      return sample;
    };
    const { ctx } = context();
    const hostsFile = join(dir, "hosts");
    writeFileSync(hostsFile, "# the fleet\nalpha\n\nbeta   # the second one\ntester@gamma\n");
    const code = await runCommandLine(
      fleetCommandWith(sampleOnce),
      ["7", "--ssh-config", config, "--hosts-file", hostsFile, "--parallel", "2"],
      ctx,
    );
    expect(code).toBe(EXIT.hostKey);
    expect(most).toBe(2);
  });

  it("exits 0 when every host gave a reading", async () => {
    const { ctx, stdout } = context();
    expect(
      await runCommandLine(
        fleetCommandWith(sampleOnceRecording([])),
        ["7", "--ssh-config", config, "--host", "alpha", "--host", "beta"],
        ctx,
      ),
    ).toBe(EXIT.ok);
    expect(stdout()).not.toContain("✗");
  });

  it("refuses a missing pid, a pid with --pgrep, no hosts and a bad hosts file line", async () => {
    const { ctx } = context();
    const noop = sampleOnceRecording([]);
    await expect(runCommandLine(fleetCommandWith(noop), ["--host", "alpha", "--host", "beta"], ctx)).rejects.toMatchObject({
      exitCode: EXIT.badInput,
    });
    await expect(runCommandLine(fleetCommandWith(noop), ["7", "--pgrep", "x", "--host", "alpha"], ctx)).rejects.toMatchObject({
      exitCode: EXIT.badInput,
    });
    await expect(runCommandLine(fleetCommandWith(noop), ["7", "--pgrep", "x"].slice(1), ctx)).rejects.toMatchObject({
      exitCode: EXIT.badInput,
    });
    const bad = join(dir, "bad-hosts");
    writeFileSync(bad, "alpha\nbeta:notaport\n");
    await expect(runCommandLine(fleetCommandWith(noop), ["7", "--hosts-file", bad], ctx)).rejects.toMatchObject({
      exitCode: EXIT.badInput,
      message: expect.stringContaining(`${bad}:2`),
    });
  });

  it("a host whose helper goes silent gets its row marked at the deadline; the other rows print", async () => {
    // beta's helper (run over SSH like the real one) says hello and then never samples
    const silentHelper = Buffer.from(
      `import json, os\nprint(${JSON.stringify(JSON.stringify(handMadeHello()))}, flush=True)\nwhile os.read(0, 100): pass\n`,
    );
    const recording = sampleOnceRecording([]);
    const sampleOnce = async (transport: Transport, pid: number): Promise<AnalysedSample> => {
      if (!transport.where.includes("beta")) return recording(transport, pid);
      const source = await openHelperSource(transport, { pid, intervalMs: 1000, smaps: false, sudo: false }, silentHelper);
      return firstSample(source, analyse, () => undefined, 500);
    };
    const { ctx, stdout } = context();
    const code = await runCommandLine(
      fleetCommandWith(sampleOnce),
      ["7", "--ssh-config", config, "--host", "alpha", "--host", "beta"],
      ctx,
    );
    expect(code).toBe(EXIT.helperFailure);
    const lines = stdout().split("\n");
    expect(lines[1]).toMatch(/^alpha\s+7\s+6\.12\.0-alpha\s/);
    expect(lines[2]).toMatch(/^beta\s+7\s+error \(below\)$/);
    expect(stdout()).toMatch(/✗ beta: drgn helper on tester@beta \S* ?sent no sample within 0.5 s \(fix: a slow debug-info load/);
  });
});
