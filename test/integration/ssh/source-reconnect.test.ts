// The drgn source over a real ssh2 server on loopback, through the reconnecting transport: when
// the link drops mid-stream, the helper is started again on a new connection and the stream goes
// on with one hello (the history stays), unless the pid now belongs to another process.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { RssdriftError } from "../../../src/errors.js";
import type { HelperLine } from "../../../src/schema/helper-line.js";
import { openHelperSource } from "../../../src/sources/helper-source.js";
import type { SampleSource } from "../../../src/sources/sample-source.js";
import { defaultSshOptions } from "../../../src/transports/ssh-options.js";
import { ReconnectingSshTransport } from "../../../src/transports/ssh-reconnect.js";
import { makeKey, removeDir, startTestServer, tempDir, writeSshConfig, type TestServer } from "./ssh-test-server.js";

let dir: string;
let server: TestServer;
let config: string;

beforeAll(async () => {
  dir = tempDir("ssh-source-reconnect");
  const hostKey = makeKey(dir, "host_key");
  const userKey = makeKey(dir, "user_key");
  server = await startTestServer({ hostKey, authorizedKeys: [userKey] });
  const knownHosts = join(dir, "known_hosts");
  writeFileSync(knownHosts, `[127.0.0.1]:${server.port} ${hostKey.publicLine}\n`);
  config = writeSshConfig(join(dir, "config"), {
    srv: { HostName: "127.0.0.1", Port: server.port, User: "tester", IdentityFile: userKey.path, UserKnownHostsFile: knownHosts },
  });
});
afterAll(async () => {
  await server?.close();
  removeDir(dir);
});

/**
 * A stand-in helper: a hello whose start_time comes from $RSSDRIFT_TEST_START (a file on the
 * "target", so a test can make the pid "reused"), then one sample per control line "sample".
 */
const helper = Buffer.from(`
import json, os, sys
start = int(open(os.environ["RSSDRIFT_TEST_START"]).read())
counter = {"count": 1, "cached": 1, "exact": 1, "residue": []}
print(json.dumps({"type": "hello", "protocol": 1, "backend": "drgn", "kernel": "6.12.0-test", "drgn": "0.0.31",
  "page_size": 4096, "cpus": {"online": [0], "possible": [0]}, "batch": 32, "era": "percpu", "era_source": "type",
  "layout": "struct percpu_counter [4]", "slot_kind": "cpu", "fault_around_pages": 16,
  "target": {"pid": 42, "comm": "t", "start_time": start, "threads": 1}, "interval_ms": 100, "smaps": False}), flush=True)
seq = 0
for line in iter(sys.stdin.readline, ""):
    if line.strip() == "sample":
        print(json.dumps({"type": "sample", "seq": seq, "mono_ms": seq, "threads": 1,
          "counters": {n: counter for n in ("file", "anon", "shmem", "swap")},
          "proc": {"statm": {"size": 1, "resident": 3, "shared": 2},
                   "status": {"VmRSS": 12, "RssAnon": 4, "RssFile": 4, "RssShmem": 4, "VmSwap": 0, "VmHWM": 12},
                   "stat_rss": 3, "smaps_rollup": None}, "read_us": 1}), flush=True)
        seq += 1
`);

async function openSource(startFile: string) {
  server.commands.length = 0;
  writeFileSync(startFile, "100");
  const transport = await ReconnectingSshTransport.open(
    "srv",
    { ...defaultSshOptions(), configFile: config },
    () => undefined,
    { home: dir, env: { PATH: process.env.PATH }, prompt: async () => "" },
    { firstDelayMs: 20, maxDelayMs: 160 },
  );
  // the stand-in reads its start time from this file, named in the helper's environment
  process.env.RSSDRIFT_TEST_START = startFile;
  const source = await openHelperSource(transport, { pid: 42, intervalMs: 100, smaps: false, sudo: false }, helper);
  return { source, transport, lines: source[Symbol.asyncIterator]() };
}

async function next(lines: AsyncIterator<HelperLine>): Promise<HelperLine> {
  const result = await lines.next();
  if (result.done) throw new Error("the source ended");
  return result.value;
}

describe("the drgn source over a reconnecting SSH transport", () => {
  it("restarts the helper after a dropped link and goes on with one hello", async () => {
    const { source, transport, lines } = await openSource(join(dir, "start-same"));
    try {
      expect(await next(lines)).toMatchObject({ type: "hello" });
      source.sampleNow();
      expect(await next(lines)).toMatchObject({ type: "sample", seq: 0 });
      const helpersStarted = server.processes.length;
      server.dropConnections();
      // the next line comes from a new helper on a new connection: no second hello. A control
      // line sent while the link is down is lost with the old helper, so ask until one answers.
      let answered = false;
      const afterDrop = next(lines).finally(() => (answered = true));
      while (!answered) {
        source.sampleNow();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(await afterDrop).toMatchObject({ type: "sample", seq: 0 });
      expect(server.processes.length).toBe(helpersStarted + 1);
    } finally {
      await source.close();
      await transport.close();
    }
  });

  it("stops with pid-reused when the restarted helper finds another process", async () => {
    const startFile = join(dir, "start-reused");
    const { source, transport, lines } = await openSource(startFile);
    try {
      expect(await next(lines)).toMatchObject({ type: "hello" });
      writeFileSync(startFile, "200"); // while the link is down, the pid was reused
      server.dropConnections();
      const error = await lines.next().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(RssdriftError);
      expect((error as RssdriftError).code).toBe("pid-reused");
    } finally {
      await source.close();
      await transport.close();
    }
  });

  it("restarts a helper whose heartbeat ran out while rssdrift was suspended, and says so", async () => {
    // the real helper's heartbeat (SIGALRM after --heartbeat S without a control line: exit 142),
    // and a sample every 100 ms; each start says its pid
    const beating = Buffer.from(`
import json, os, select, signal, sys
hb = int(sys.argv[sys.argv.index("--heartbeat") + 1])
signal.signal(signal.SIGALRM, lambda *_: os._exit(142))
signal.alarm(hb)
counter = {"count": 1, "cached": 1, "exact": 1, "residue": []}
print(json.dumps({"type": "progress", "step": "starting", "message": "pid %d" % os.getpid()}), flush=True)
print(json.dumps({"type": "hello", "protocol": 1, "backend": "drgn", "kernel": "6.12.0-test", "drgn": "0.0.31",
  "page_size": 4096, "cpus": {"online": [0], "possible": [0]}, "batch": 32, "era": "percpu", "era_source": "type",
  "layout": "struct percpu_counter [4]", "slot_kind": "cpu", "fault_around_pages": 16,
  "target": {"pid": 42, "comm": "t", "start_time": 1, "threads": 1}, "interval_ms": 100, "smaps": False}), flush=True)
seq = 0
while True:
    if select.select([0], [], [], 0.1)[0]:
        if not os.read(0, 4096): break
        signal.alarm(hb)
    print(json.dumps({"type": "sample", "seq": seq, "mono_ms": seq, "threads": 1,
      "counters": {n: counter for n in ("file", "anon", "shmem", "swap")},
      "proc": {"statm": {"size": 1, "resident": 3, "shared": 2},
               "status": {"VmRSS": 12, "RssAnon": 4, "RssFile": 4, "RssShmem": 4, "VmSwap": 0, "VmHWM": 12},
               "stat_rss": 3, "smaps_rollup": None}, "read_us": 1}), flush=True)
    seq += 1
`);
    const transport = await ReconnectingSshTransport.open("srv", { ...defaultSshOptions(), configFile: config }, () => undefined, {
      home: dir,
      env: { PATH: process.env.PATH },
      prompt: async () => "",
    });
    // the source's pings are on fake timers that never advance: as if rssdrift were stopped (Ctrl-Z)
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    let source: SampleSource;
    try {
      source = await openHelperSource(transport, { pid: 42, intervalMs: 100, smaps: false, sudo: false, heartbeatS: 1 }, beating);
    } finally {
      vi.useRealTimers();
    }
    const pids: string[] = [];
    const notices: string[] = [];
    let samplesAfterRestart = 0;
    try {
      for await (const line of source) {
        if (line.type === "progress" && line.message.startsWith("pid ")) pids.push(line.message);
        else if (line.type === "progress") notices.push(line.message);
        else if (line.type === "sample" && notices.length > 0 && ++samplesAfterRestart === 3) break;
      }
    } finally {
      await source.close();
      await transport.close();
    }
    expect(notices[0]).toMatch(
      /^the helper on tester@srv\b.* heard nothing from rssdrift for 1 s \(suspended\?\) and stopped, as it should; started it again$/,
    );
    expect(pids).toHaveLength(2);
    expect(pids[0]).not.toBe(pids[1]);
  });
});
