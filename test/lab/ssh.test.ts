// The SSH transport against real OpenSSH in the trixie lab VM (scripts/lab/lab), reached through
// a generated ssh config file. The real helper (helpers/rss_stat.py) runs as root, as `rssdrift`
// (NOPASSWD sudo for python3) and as `nopw` (sudo wants a password: one line, or --sudo-prompt).
// After every case, `ps -eo pid,user,args` on the target must show no helper: stop(), a client
// killed by Ctrl-C, and a dropped link (a TCP relay cut in the middle) all leave nothing behind.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, connect as netConnect, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT, RssdriftError } from "../../src/errors.js";
import type { HelperLine } from "../../src/schema/helper-line.js";
import { parseHelperLine } from "../../src/schema/validate-line.js";
import { openHelperSource } from "../../src/sources/helper-source.js";
import { control, helperArgv, helperPreamble } from "../../src/sources/helper-launch.js";
import { runCommand } from "../../src/transports/run-command.js";
import { defaultSshOptions, type SshOptions } from "../../src/transports/ssh-options.js";
import { ReconnectingSshTransport } from "../../src/transports/ssh-reconnect.js";
import { sudoFailure } from "../../src/transports/ssh-sudo.js";
import { openSshTransport, type SshEnvironment } from "../../src/transports/ssh-transport.js";
import type { RunningCommand, Transport } from "../../src/transports/transport.js";
import { useLabVm } from "./lab-vm.js";

const SUITE = "trixie";
const labVm = useLabVm(SUITE);

let env: Record<string, string> = {};
let dir: string;
let config: string;
let relay: Server | undefined;
const relaySockets = new Set<Socket>();
/** every ps listing taken after a case, for the record */
export const psRecords: { after: string; listing: string }[] = [];

beforeAll(() => {
  env = labVm();
  dir = mkdtempSync(join(tmpdir(), "rssdrift-lab-ssh-"));
  config = join(dir, "ssh_config");
  writeConfig();
});
afterAll(async () => {
  for (const socket of relaySockets) socket.destroy();
  await new Promise((resolve) => (relay ? relay.close(resolve) : resolve(undefined)));
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (process.env.RSSDRIFT_LAB_PS_LOG)
    writeFileSync(process.env.RSSDRIFT_LAB_PS_LOG, psRecords.map((r) => `## after: ${r.after}\n${r.listing}`).join("\n"));
});

function writeConfig(relayPort?: number): void {
  const common = [
    "  HostName 127.0.0.1",
    `  IdentityFile ${env.LAB_KEY}`,
    "  IdentitiesOnly yes",
    `  UserKnownHostsFile ${env.LAB_KNOWN_HOSTS}`,
    "  ConnectTimeout 20",
  ];
  const text = [
    "Host lab",
    `  Port ${env.LAB_PORT}`,
    ...common,
    "",
    // the same VM through a TCP relay this test can cut: the key is looked up as the VM's
    ...(relayPort ? ["Host lab-relay", `  Port ${relayPort}`, `  HostKeyAlias [127.0.0.1]:${env.LAB_PORT}`, ...common, ""] : []),
  ].join("\n");
  writeFileSync(config, text);
}

const options = (more: Partial<SshOptions> = {}): SshOptions => ({ ...defaultSshOptions(), configFile: config, ...more });
const noPrompt: SshEnvironment = {
  prompt: async () => {
    throw new Error("no prompt expected");
  },
};

/** Each case uses its own interval, so its helper is recognisable in ps among anyone else's. */
let nextInterval = 731;

/** The helper processes still running on the target for an interval (sudo and python3 lines). */
async function helpersLeft(after: string, intervalMs: number): Promise<string[]> {
  const root = await openSshTransport("root@lab", options(), () => undefined, noPrompt);
  try {
    const { stdout } = await runCommand(root, ["ps", "-eo", "pid,user,args"]);
    psRecords.push({ after, listing: stdout });
    return stdout.split("\n").filter((line) => line.includes("python3") && line.includes(`--interval ${intervalMs} `));
  } finally {
    await root.close();
  }
}

/** Polls until the helper is gone (each poll is a fresh ps on the target); vitest's timeout bounds it. */
async function expectNoHelperLeft(after: string, intervalMs: number): Promise<void> {
  for (let left = await helpersLeft(after, intervalMs); left.length > 0; left = await helpersLeft(after, intervalMs)) {
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  expect(await helpersLeft(after, intervalMs)).toEqual([]);
}

/** Reads validated helper lines from a running helper until `until` says stop. */
async function readLines(command: RunningCommand, until: (line: HelperLine) => boolean): Promise<HelperLine[]> {
  const lines: HelperLine[] = [];
  for await (const text of createInterface({ input: command.stdout })) {
    const line = parseHelperLine(text);
    lines.push(line);
    if (line.type === "error" || until(line)) break;
  }
  return lines;
}

async function startHelper(
  transport: Transport,
  sudo: boolean,
  intervalMs: number,
): Promise<{ command: RunningCommand; stderr: () => string }> {
  const command = await transport.start(helperArgv({ pid: 1, intervalMs, smaps: false, sudo }));
  let stderr = "";
  command.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  command.stdin.write(helperPreamble());
  return { command, stderr: () => stderr };
}

async function isRoot(transport: Transport): Promise<boolean> {
  return (await runCommand(transport, ["id", "-u"])).stdout.trim() === "0";
}

describe(`SSH to the ${SUITE} lab VM with the real helper`, () => {
  it.each([
    ["root", false],
    ["rssdrift", true],
  ] as const)("as %s: hello and samples over the channel, and stop() leaves no helper", async (user, expectSudo) => {
    const intervalMs = nextInterval++;
    const transport = await openSshTransport(`${user}@lab`, options(), () => undefined, noPrompt);
    try {
      expect(!(await isRoot(transport))).toBe(expectSudo);
      const { command, stderr } = await startHelper(transport, expectSudo, intervalMs);
      const lines = await readLines(command, (line) => line.type === "sample" && line.seq >= 2);
      expect(
        lines.find((line) => line.type === "error"),
        stderr(),
      ).toBeUndefined();
      const hello = lines.find((line) => line.type === "hello");
      expect(hello).toMatchObject({ type: "hello", era: "percpu", target: { pid: 1 }, interval_ms: intervalMs });
      command.stdin.write(control.sampleNow);
      await command.stop();
      await expectNoHelperLeft(`stop() as ${user}`, intervalMs);
    } finally {
      await transport.close();
    }
  });

  it("stop() ends a command that ignores stdin with TERM (sshd acts on the signal after stdin's EOF)", async () => {
    const transport = await openSshTransport("root@lab", options(), () => undefined, noPrompt);
    try {
      const command = await transport.start(["sleep", "7331"]);
      command.stdout.resume();
      command.stderr.resume();
      await command.stop();
      expect(await command.exited).toEqual({ code: null, signal: "SIGTERM" });
      const { stdout } = await runCommand(transport, ["ps", "-eo", "pid,user,args"]);
      expect(stdout).not.toContain("sleep 7331");
    } finally {
      await transport.close();
    }
  });

  it("as nopw: sudo -n's password error is one line saying what to do", async () => {
    const intervalMs = nextInterval++;
    const transport = await openSshTransport("nopw@lab", options(), () => undefined, noPrompt);
    try {
      expect(await isRoot(transport)).toBe(false);
      const { command, stderr } = await startHelper(transport, true, intervalMs);
      command.stdout.resume();
      const exit = await command.exited;
      expect(exit.code).toBe(1);
      const error = sudoFailure(stderr(), transport.where);
      expect(error).toBeInstanceOf(RssdriftError);
      expect(error!.exitCode).toBe(EXIT.missingPrerequisite);
      expect(error!.message).toBe(`sudo on ${transport.where} needs a password, and the helper cannot ask for one`);
      expect(error!.hint).toContain("NOPASSWD");
      expect(error!.hint).toContain("--sudo-prompt");
      await expectNoHelperLeft("sudo -n refused as nopw", intervalMs);
    } finally {
      await transport.close();
    }
  });

  it("as nopw with --sudo-prompt: the password is asked once, the helper runs, stop() leaves nothing", async () => {
    const intervalMs = nextInterval++;
    const questions: string[] = [];
    const transport = await openSshTransport("nopw@lab", options({ sudoPrompt: true }), () => undefined, {
      prompt: async (question) => {
        questions.push(question);
        return "nopw";
      },
    });
    try {
      for (let round = 0; round < 2; round++) {
        const { command, stderr } = await startHelper(transport, true, intervalMs);
        const lines = await readLines(command, (line) => line.type === "sample");
        expect(
          lines.find((line) => line.type === "error"),
          stderr(),
        ).toBeUndefined();
        expect(lines.some((line) => line.type === "hello")).toBe(true);
        expect(stderr()).not.toContain("nopw"); // the password is never echoed back
        await command.stop();
        await expectNoHelperLeft(`stop() as nopw with --sudo-prompt (round ${round + 1})`, intervalMs);
      }
      expect(questions).toEqual([`[sudo] password for ${transport.where}: `]);
    } finally {
      await transport.close();
    }
  });

  it("as nopw with a wrong --sudo-prompt password: one line, and the helper never starts", async () => {
    const intervalMs = nextInterval++;
    const transport = await openSshTransport("nopw@lab", options({ sudoPrompt: true }), () => undefined, { prompt: async () => "wrong" });
    try {
      const { command, stderr } = await startHelper(transport, true, intervalMs);
      const stdout = await readLines(command, () => false);
      expect(stdout).toEqual([]);
      expect((await command.exited).code).toBe(1);
      const error = sudoFailure(stderr(), transport.where);
      expect(error?.message).toBe(`sudo on ${transport.where} did not accept the password`);
      await expectNoHelperLeft("a wrong sudo password", intervalMs);
    } finally {
      await transport.close();
    }
  });

  it("Ctrl-C on the client (the process killed by SIGINT) leaves no helper", async () => {
    const intervalMs = nextInterval++;
    const script = join(dir, "ctrl-c.mjs");
    const transportModule = new URL("../../dist/src/transports/ssh-transport.js", import.meta.url);
    const launchModule = new URL("../../dist/src/sources/helper-launch.js", import.meta.url);
    expect(existsSync(transportModule), "run `npm run build` (npm run test:lab does) first").toBe(true);
    writeFileSync(
      script,
      [
        `import { openSshTransport } from ${JSON.stringify(transportModule.href)};`,
        `import { helperArgv, helperPreamble } from ${JSON.stringify(launchModule.href)};`,
        `const t = await openSshTransport("rssdrift@lab", { identityFiles: [], acceptNew: false, sudoPrompt: false, configFile: ${JSON.stringify(config)} }, () => {});`,
        `const c = await t.start(helperArgv({ pid: 1, intervalMs: ${intervalMs}, smaps: false, sudo: true }));`,
        "c.stdin.write(helperPreamble());",
        "c.stdout.on('data', (d) => { if (d.toString().includes('\"sample\"')) console.log('sampling'); });",
      ].join("\n"),
    );
    const child = spawn(process.execPath, [script], { stdio: ["ignore", "pipe", "inherit"] });
    for await (const line of createInterface({ input: child.stdout! })) if (line === "sampling") break;
    expect(await helpersLeft("the client is sampling (before Ctrl-C)", intervalMs)).toHaveLength(2); // sudo and python3
    const exited = new Promise((resolve) => child.once("exit", (_code, signal) => resolve(signal)));
    child.kill("SIGINT");
    expect(await exited).toBe("SIGINT");
    await expectNoHelperLeft("Ctrl-C on the client", intervalMs);
  });

  it("a link that goes silent without closing: the helper ends itself once the pings stop", async () => {
    // sshd would keep the session (and a root helper) until TCP gives up, ~15 minutes; the
    // source's pings and the helper's --heartbeat end it after HEARTBEAT_S (30 s) instead
    const intervalMs = nextInterval++;
    const sockets = new Set<Socket>();
    const silentRelay = createServer((inbound) => {
      const outbound = netConnect(Number(env.LAB_PORT), "127.0.0.1");
      for (const socket of [inbound, outbound]) {
        sockets.add(socket);
        socket.on("error", () => undefined);
      }
      inbound.pipe(outbound).pipe(inbound);
    });
    await new Promise<void>((resolve) => silentRelay.listen(0, "127.0.0.1", resolve));
    writeConfig((silentRelay.address() as { port: number }).port);
    const transport = await openSshTransport("rssdrift@lab-relay", options(), () => undefined, noPrompt);
    const source = await openHelperSource(transport, { pid: 1, intervalMs, smaps: false, sudo: true });
    try {
      const lines = source[Symbol.asyncIterator]();
      for (let next = await lines.next(); !next.done && next.value.type !== "sample"; next = await lines.next());
      expect(await helpersLeft("sampling through the relay (before it went silent)", intervalMs)).toHaveLength(2);
      // nothing passes any more, in either direction, but no connection closes
      for (const socket of sockets) {
        socket.unpipe();
        socket.pause();
      }
      // without the heartbeat this outlasts the test's timeout by minutes
      await expectNoHelperLeft("the link went silent", intervalMs);
    } finally {
      for (const socket of sockets) socket.destroy();
      await Promise.race([source.close(), new Promise((resolve) => setTimeout(resolve, 10_000))]);
      await transport.close();
      await new Promise((resolve) => silentRelay.close(resolve));
    }
  });

  it("a dropped link is reported, reconnected through real sshd, the helper restarted; the old one is gone", async () => {
    const intervalMs = nextInterval++;
    relay = createServer((inbound) => {
      const outbound = netConnect(Number(env.LAB_PORT), "127.0.0.1");
      for (const socket of [inbound, outbound]) {
        relaySockets.add(socket);
        socket.on("close", () => relaySockets.delete(socket));
        socket.on("error", () => undefined);
      }
      inbound.pipe(outbound).pipe(inbound);
    });
    await new Promise<void>((resolve) => relay!.listen(0, "127.0.0.1", resolve));
    writeConfig((relay.address() as { port: number }).port);
    const notices: string[] = [];
    const transport = await ReconnectingSshTransport.open("rssdrift@lab-relay", options(), (line) => notices.push(line), noPrompt, {
      firstDelayMs: 500,
      maxDelayMs: 8000,
    });
    try {
      const first = await startHelper(transport, true, intervalMs);
      expect((await readLines(first.command, (line) => line.type === "sample")).some((line) => line.type === "hello")).toBe(true);
      expect(await helpersLeft("sampling through the relay (before the cut)", intervalMs)).toHaveLength(2);
      for (const socket of relaySockets) socket.destroy(); // the link drops: both sides see it close
      first.command.stdout.resume();
      expect(await first.command.exited).toEqual({ code: null, signal: null });
      expect(transport.wasDropped(first.command)).toBe(true);
      await expectNoHelperLeft("the link was cut", intervalMs);
      const second = await startHelper(transport, true, intervalMs);
      const lines = await readLines(second.command, (line) => line.type === "sample");
      expect(lines.some((line) => line.type === "hello")).toBe(true);
      expect(notices).toContain(`reconnecting to ${transport.where} (attempt 1)…`);
      await second.command.stop();
      await expectNoHelperLeft("stop() after the reconnect", intervalMs);
    } finally {
      await transport.close();
    }
  });
});
