// Faults against the real CLI over SSH into the bookworm lab VM: the helper killed in the guest, the
// link dropped (a TCP relay this test cuts), the target exiting, SIGTERM and SIGHUP to rssdrift.
// After each, `ps` in the guest must show no helper left for the case's target, rssdrift must end
// with its documented exit code and, for a failure, one line on stderr (never a stack), and what it
// had printed stays whole; a watch whose link dropped reconnects and goes on sampling, as designed
// (src/transports/ssh-reconnect.ts, src/sources/helper-source.ts). A signal ends a watch quietly
// with 130, as q does (cli/rssdrift.ts says "interrupted" only when stopping outlasts its grace).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, connect as netConnect, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../../src/errors.js";
import { inGuest, inGuestOk, useLabVm } from "./lab-vm.js";
import { spawnCli, stderrLines } from "./run-cli.js";

const SUITE = "bookworm";
const labVm = useLabVm(SUITE);

let dir: string;
let config: string;
let relay: Server;
const relaySockets = new Set<Socket>();
/** guest pids of the targets started here, ended in afterAll whatever happened */
const targets: number[] = [];

beforeAll(async () => {
  const env = labVm();
  dir = mkdtempSync(join(tmpdir(), "rssdrift-lab-faults-"));
  config = join(dir, "ssh_config");
  // the VM's sshd through a relay the test can cut; the host key is looked up as the VM's
  relay = createServer((inbound) => {
    const outbound = netConnect(Number(env.LAB_PORT), "127.0.0.1");
    for (const socket of [inbound, outbound]) {
      relaySockets.add(socket);
      socket.on("close", () => relaySockets.delete(socket));
      socket.on("error", () => undefined);
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
  const common = [
    "  User root",
    "  HostName 127.0.0.1",
    `  IdentityFile ${env.LAB_KEY}`,
    "  IdentitiesOnly yes",
    `  UserKnownHostsFile ${env.LAB_KNOWN_HOSTS}`,
    "  ConnectTimeout 20",
  ];
  const relayPort = (relay.address() as { port: number }).port;
  writeFileSync(
    config,
    [
      "Host lab",
      `  Port ${env.LAB_PORT}`,
      ...common,
      "",
      "Host lab-relay",
      `  Port ${relayPort}`,
      `  HostKeyAlias [127.0.0.1]:${env.LAB_PORT}`,
      ...common,
      "",
    ].join("\n"),
  );
});
afterAll(async () => {
  if (targets.length > 0) await inGuest(SUITE, ["kill", ...targets.map(String)]);
  for (const socket of relaySockets) socket.destroy();
  await new Promise((resolve) => (relay ? relay.close(resolve) : resolve(undefined)));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** An idle process in the guest, detached from our ssh session; each case has its own. */
async function startTarget(): Promise<number> {
  const out = await inGuestOk(SUITE, [
    "sh",
    "-c",
    'setsid nohup python3 -I -c "import time; time.sleep(900)" >/dev/null 2>&1 </dev/null & echo $!',
  ]);
  const pid = Number(out.trim());
  targets.push(pid);
  return pid;
}

/** The helper processes (python3 … --pid PID …) in the guest for this target, as `ps` lines. */
async function helpersFor(pid: number): Promise<string[]> {
  const listing = await inGuestOk(SUITE, ["ps", "-eo", "pid,user,args"]);
  return listing.split("\n").filter((line) => line.includes("python3") && line.includes(`--pid ${pid} `));
}

/** Polls until the guest shows `count` helpers for the target (vitest's timeout bounds it). */
async function untilHelpers(pid: number, count: number): Promise<string[]> {
  for (;;) {
    const helpers = await helpersFor(pid);
    if (helpers.length === count) return helpers;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

interface Running {
  /** JSON sample lines so far */
  samples: () => { sample: { seq: number } }[];
  stderr: () => string;
  ended: Promise<{ code: number | null; stdout: string; stderr: string }>;
  signal: (name: NodeJS.Signals) => void;
}

/** The built CLI, its stdout parsed as watch --json lines as they come. */
function startCli(args: string[]): Running {
  const child = spawnCli(args);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end();
  const ended = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("close", (code) => resolve({ code, stdout, stderr })),
  );
  return {
    samples: () =>
      stdout
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line) as { sample: { seq: number } }),
    stderr: () => stderr,
    ended,
    signal: (name) => child.kill(name),
  };
}

async function untilSamples(run: Running, count: number): Promise<void> {
  while (run.samples().length < count) {
    if (await Promise.race([run.ended.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 200))])) {
      throw new Error(`rssdrift ended before ${count} samples: ${run.stderr()}`);
    }
  }
}

const watchArgs = (pid: number, host = "lab") => ["watch", String(pid), "--host", host, "-F", config, "--interval", "200", "--json"];

/** Its progress notices aside (`rssdrift: bpf, reading pid …`), what rssdrift said on stderr. */
function finalLines(stderr: string): string[] {
  return stderrLines({ stderr }).filter(
    (line) => !/^rssdrift: (bpf, reading|reading the kernel's BTF|loading the kernel's debug info|drgn|reconnect)/.test(line),
  );
}

function expectNoStack(stderr: string): void {
  expect(stderr).not.toMatch(/^\s+at |internal error/m);
}

describe("faults over SSH, in the lab (bookworm)", () => {
  it("the helper killed (-9) under a watch: exit 5, one line, the samples so far intact, no helper left", async () => {
    const pid = await startTarget();
    const run = startCli(watchArgs(pid));
    await untilSamples(run, 3);
    const [helper] = await untilHelpers(pid, 1);
    await inGuestOk(SUITE, ["kill", "-9", helper!.trim().split(/\s+/)[0]!]);
    const { code, stderr } = await run.ended;
    expect(code).toBe(EXIT.helperFailure);
    expect(finalLines(stderr)).toEqual([expect.stringMatching(/^rssdrift: the helper on .* (was killed by SIGKILL|exited with code 137)/)]);
    expectNoStack(stderr);
    expect(run.samples().length).toBeGreaterThanOrEqual(3); // every line printed parsed as a whole sample
    expect(await helpersFor(pid)).toEqual([]);
  });

  it("the helper killed (-9) during a one-shot report's start-up (drgn): exit 5, one line, no helper left", async () => {
    const pid = await startTarget();
    const run = startCli([String(pid), "--host", "lab", "-F", config, "--backend", "drgn", "--json"]);
    const [helper] = await untilHelpers(pid, 1); // drgn takes seconds to load the debug info: the kill comes first
    await inGuestOk(SUITE, ["kill", "-9", helper!.trim().split(/\s+/)[0]!]);
    const { code, stdout, stderr } = await run.ended;
    expect(code).toBe(EXIT.helperFailure);
    expect(finalLines(stderr)).toEqual([expect.stringMatching(/^rssdrift: the helper on .* (was killed by SIGKILL|exited with code 137)/)]);
    expectNoStack(stderr);
    expect(stdout).toBe("");
    expect(await helpersFor(pid)).toEqual([]);
  });

  it("the link dropped under a watch: it reconnects, starts one new helper and goes on; the old one is gone", async () => {
    const pid = await startTarget();
    const run = startCli(watchArgs(pid, "lab-relay"));
    await untilSamples(run, 3);
    const [before] = await untilHelpers(pid, 1);
    for (const socket of relaySockets) socket.destroy(); // both sides see the link close
    const cutAt = run.samples().length;
    await untilSamples(run, cutAt + 3);
    expect(run.stderr()).toMatch(/reconnecting to .*\n.*reconnected to /);
    const [after] = await untilHelpers(pid, 1); // the first one ended with its session: only the new one
    expect(after).not.toEqual(before);
    // the stream went on: after the cut the new helper counts again from 0, nothing else broke
    expect(
      run
        .samples()
        .slice(cutAt)
        .some((line) => line.sample.seq === 0),
    ).toBe(true);
    run.signal("SIGTERM");
    const { code, stderr } = await run.ended;
    expect(code).toBe(EXIT.interrupted);
    expect(["", "rssdrift: interrupted"]).toContain(finalLines(stderr).join("\n"));
    expectNoStack(stderr);
    await untilHelpers(pid, 0);
  });

  it("the link dropped under a one-shot report's start-up (drgn): it does not reconnect; one line, no helper left", async () => {
    const pid = await startTarget();
    const run = startCli([String(pid), "--host", "lab-relay", "-F", config, "--backend", "drgn", "--json"]);
    await untilHelpers(pid, 1); // drgn takes seconds to load the debug info: the cut comes first
    for (const socket of relaySockets) socket.destroy();
    const { code, stdout, stderr } = await run.ended;
    expect(code).toBe(EXIT.sshFailure);
    expect(finalLines(stderr)).toEqual([
      expect.stringMatching(/^rssdrift: the SSH connection to root@lab-relay .* was lost while the helper ran$/),
    ]);
    expectNoStack(stderr);
    expect(stdout).toBe("");
    await untilHelpers(pid, 0); // its session ended with the link: the helper goes with it
  });

  it("the target exits under a watch: exit 3, one line, no helper left", async () => {
    const pid = await startTarget();
    const run = startCli(watchArgs(pid));
    await untilSamples(run, 3);
    await inGuestOk(SUITE, ["kill", String(pid)]);
    const { code, stderr } = await run.ended;
    expect(code).toBe(EXIT.targetGone);
    expect(finalLines(stderr)).toEqual([expect.stringMatching(new RegExp(`^rssdrift: .*${pid}.*exited`))]);
    expectNoStack(stderr);
    await untilHelpers(pid, 0);
  });

  for (const signal of ["SIGTERM", "SIGHUP"] as const) {
    it(`${signal} to a watch: exit 130, quiet, no stack, the samples so far intact, no helper left`, async () => {
      const pid = await startTarget();
      const run = startCli(watchArgs(pid));
      await untilSamples(run, 3);
      await untilHelpers(pid, 1);
      run.signal(signal);
      const { code, stderr } = await run.ended;
      expect(code).toBe(EXIT.interrupted);
      // a signal ends a watch as q does, quietly; only a stop that outlasts the 5 s grace says so
      expect(["", "rssdrift: interrupted"]).toContain(finalLines(stderr).join("\n"));
      expectNoStack(stderr);
      expect(run.samples().length).toBeGreaterThanOrEqual(3);
      await untilHelpers(pid, 0);
    });
  }
});
