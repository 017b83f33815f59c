// The drgn source's plumbing over a real local child process, with scripted helpers standing in
// for helpers/rss_stat.py (the real helper is exercised against real kernels in test/lab/).
import { afterEach, describe, expect, it, vi } from "vitest";
import { EXIT, RssdriftError } from "../../src/errors.js";
import type { HelperLine } from "../../src/schema/helper-line.js";
import { analyse } from "../../src/analysis/analyse.js";
import { firstSample } from "../../src/sources/first-sample.js";
import { openHelperSource } from "../../src/sources/helper-source.js";
import type { SampleSource } from "../../src/sources/sample-source.js";
import { localTransport } from "../../src/transports/local-transport.js";
import type { Transport } from "../../src/transports/transport.js";

const hello = {
  type: "hello",
  protocol: 1,
  backend: "drgn",
  kernel: "6.12.0-test",
  drgn: "0.0.31",
  page_size: 4096,
  cpus: { online: [0, 1], possible: [0, 1] },
  batch: 32,
  era: "percpu",
  era_source: "type",
  layout: "struct percpu_counter [4]",
  slot_kind: "cpu",
  fault_around_pages: 16,
  target: { pid: 42, comm: "t", start_time: 1, threads: 1 },
  interval_ms: 100,
  smaps: false,
};
const counter = (n: number) => ({
  count: n,
  cached: n,
  exact: n + 1,
  residue: [
    { slot: 0, pages: 1 },
    { slot: 1, pages: 0 },
  ],
});
const sample = (seq: number) => ({
  type: "sample",
  seq,
  mono_ms: 1000 + seq,
  threads: 1,
  counters: { file: counter(1), anon: counter(2), shmem: counter(3), swap: counter(0) },
  proc: {
    statm: { size: 10, resident: 9, shared: 4 },
    status: { VmRSS: 36, RssAnon: 8, RssFile: 16, RssShmem: 12, VmSwap: 0, VmHWM: 40 },
    stat_rss: 6,
    smaps_rollup: null,
  },
  read_us: 10,
});

/** A python helper that prints `lines` and then, if `echoControl`, answers each control line with a sample. */
function scriptedHelper(lines: unknown[], tail = ""): Buffer {
  const printed = lines.map((line) => `print(${JSON.stringify(typeof line === "string" ? line : JSON.stringify(line))}, flush=True)`);
  return Buffer.from(`${["import os, sys, json", ...printed, tail].join("\n")}\n`);
}

const opened: SampleSource[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((source) => source.close()));
});

async function open(script: Buffer): Promise<SampleSource> {
  const source = await openHelperSource(localTransport(), { pid: 42, intervalMs: 100, smaps: false, sudo: false }, script);
  opened.push(source);
  return source;
}

async function drain(source: SampleSource): Promise<{ lines: HelperLine[]; error?: RssdriftError }> {
  const lines: HelperLine[] = [];
  try {
    for await (const line of source) lines.push(line);
    return { lines };
  } catch (error) {
    return { lines, error: error as RssdriftError };
  }
}

describe("drgn source over a local child process", () => {
  it("yields validated hello and sample lines in order, and passes the helper its arguments", async () => {
    const source = await open(
      scriptedHelper(
        [hello, sample(0), sample(1)],
        "print(json.dumps({'type':'progress','step':'sampling','message':' '.join(sys.argv[1:])}))",
      ),
    );
    const { lines, error } = await drain(source);
    expect(error).toBeUndefined();
    expect(lines.map((line) => line.type)).toEqual(["hello", "sample", "sample", "progress"]);
    expect(lines[3]).toMatchObject({ message: "--pid 42 --interval 100 --control --heartbeat 30" });
  });

  it("turns a malformed line into a helper failure that names the field", async () => {
    const bad = { ...sample(0), counters: { ...sample(0).counters, anon: { ...counter(2), cached: -5 } } };
    const { lines, error } = await drain(await open(scriptedHelper([hello, bad])));
    expect(lines.map((line) => line.type)).toEqual(["hello"]);
    expect(error).toBeInstanceOf(RssdriftError);
    expect(error?.exitCode).toBe(EXIT.helperFailure);
    expect(error?.message).toContain("/counters/anon/cached");
  });

  it("turns an error line into its exit code and hint", async () => {
    const line = {
      type: "error",
      code: "no-debug-info",
      message: "no vmlinux debug info for 6.12",
      hint: "apt install linux-image-6.12-dbg",
    };
    const { error } = await drain(await open(scriptedHelper([line], "sys.exit(1)")));
    expect(error?.exitCode).toBe(EXIT.missingPrerequisite);
    expect(error?.code).toBe("no-debug-info");
    expect(error?.hint).toContain("-dbg");
  });

  it("reports a helper that dies without an error line, with its last stderr line", async () => {
    const { error } = await drain(await open(scriptedHelper([hello], "sys.stderr.write('Segmentation fault\\n'); sys.exit(139)")));
    expect(error?.exitCode).toBe(EXIT.helperFailure);
    expect(error?.message).toMatch(/exited with code 139: Segmentation fault/);
  });

  it("a link that dropped under a transport that does not reconnect is an SSH failure, not a helper that exited", async () => {
    // the command ends as an SSH one does when its connection drops: no exit status, connectionLost
    const local = localTransport();
    const dropping: Transport = {
      where: "root@lab (127.0.0.1:2222)",
      start: async (argv) => Object.assign(await local.start(argv), { connectionLost: true }),
      close: () => local.close(),
    };
    const source = await openHelperSource(
      dropping,
      { pid: 42, intervalMs: 100, smaps: false, sudo: false },
      scriptedHelper([hello], "sys.exit(0)"),
    );
    opened.push(source);
    const { error } = await drain(source);
    expect(error?.exitCode).toBe(EXIT.sshFailure);
    expect(error?.message).toBe("the SSH connection to root@lab (127.0.0.1:2222) was lost while the helper ran");
  });

  it("turns sudo -n's refusal on stderr into one line with the fix", async () => {
    const { error } = await drain(await open(scriptedHelper([], "sys.stderr.write('sudo: a password is required\\n'); sys.exit(1)")));
    expect(error?.exitCode).toBe(EXIT.missingPrerequisite);
    expect(error?.code).toBe("sudo-password");
    expect(error?.hint).toMatch(/--sudo-prompt.*docs\/sudo.md/);
  });

  it("sends control lines on stdin and ends the helper by closing it", async () => {
    // echoes each control line back as a progress line until stdin closes
    const echo = [
      "buf = b''",
      "while True:",
      "    chunk = os.read(0, 100)",
      "    if not chunk: break",
      "    buf += chunk",
      "    while b'\\n' in buf:",
      "        line, buf = buf.split(b'\\n', 1)",
      "        print(json.dumps({'type':'progress','step':'sampling','message':line.decode()}), flush=True)",
      "print(json.dumps({'type':'progress','step':'sampling','message':'stdin closed'}), flush=True)",
    ].join("\n");
    const source = await open(scriptedHelper([hello], echo));
    const iterator = source[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toMatchObject({ type: "hello" });
    source.sampleNow();
    expect((await iterator.next()).value).toMatchObject({ message: "sample" });
    source.setInterval(250);
    expect((await iterator.next()).value).toMatchObject({ message: "interval 250" });
    source.setPaused(true);
    source.setPaused(false);
    expect((await iterator.next()).value).toMatchObject({ message: "pause" });
    expect((await iterator.next()).value).toMatchObject({ message: "resume" });
    await source.close();
    expect((await iterator.next()).done).toBe(true);
  });

  it("a helper that goes silent before its first sample ends at the deadline, in one error, and is stopped", async () => {
    // says its pid, then hello, then never samples (a stuck debug-info load), reading stdin forever
    const silent = scriptedHelper(
      [],
      [
        "print(json.dumps({'type':'progress','step':'loading-debug-info','message':'pid %d' % os.getpid()}), flush=True)",
        `print(${JSON.stringify(JSON.stringify(hello))}, flush=True)`,
        "while os.read(0, 100): pass",
      ].join("\n"),
    );
    const source = await open(silent);
    // its first line (its pid) read first, so the deadline below races nothing but the silence
    const first = await source[Symbol.asyncIterator]().next();
    const rest = { ...source, [Symbol.asyncIterator]: () => source[Symbol.asyncIterator]() };
    const error = await firstSample(rest, analyse, () => undefined, 300).then(
      () => null,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(RssdriftError);
    expect(error).toMatchObject({ exitCode: EXIT.helperFailure, code: "no-sample-in-time" });
    expect((error as RssdriftError).message).toBe("drgn helper on this machine sent no sample within 0.3 s");
    // the silent helper was stopped, not left behind
    const pid = Number(/pid (\d+)/.exec(first.value?.type === "progress" ? first.value.message : "")?.[1]);
    expect(pid).toBeGreaterThan(0);
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let tries = 0; alive() && tries < 200; tries++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(alive()).toBe(false);
  });

  it("stops a helper that prints an endless line at 1 MiB, in one error (not gigabytes held)", async () => {
    // 64 MiB without a newline, then silence: the reader must give up at the limit, not wait for the end
    const endless = scriptedHelper([], "chunk = b'x' * 65536\nfor _ in range(1024): os.write(1, chunk)\nwhile os.read(0, 100): pass");
    const { lines, error } = await drain(await open(endless));
    expect(lines).toEqual([]);
    expect(error).toMatchObject({
      exitCode: EXIT.helperFailure,
      message: "drgn helper on this machine printed a line longer than 1 MiB: not a helper line",
    });
  });

  it("restarts a helper whose heartbeat ran out while rssdrift was suspended, and says so", async () => {
    // the real helper's heartbeat: SIGALRM after --heartbeat S without a control line, exit 142
    const beating = scriptedHelper(
      [],
      [
        "import signal, select",
        "hb = int(sys.argv[sys.argv.index('--heartbeat') + 1])",
        "signal.signal(signal.SIGALRM, lambda *_: os._exit(142))",
        "signal.alarm(hb)",
        "print(json.dumps({'type':'progress','step':'starting','message':'pid %d' % os.getpid()}), flush=True)",
        `print(${JSON.stringify(JSON.stringify(hello))}, flush=True)`,
        `line = json.loads(${JSON.stringify(JSON.stringify(sample(0)))})`,
        "seq = 0",
        "while True:",
        "    if select.select([0], [], [], 0.1)[0]:",
        "        if not os.read(0, 4096): break",
        "        signal.alarm(hb)",
        "    line['seq'] = seq; seq += 1",
        "    print(json.dumps(line), flush=True)",
      ].join("\n"),
    );
    // the source's pings are on fake timers that never advance: as if rssdrift were stopped (Ctrl-Z)
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    let source: SampleSource;
    try {
      source = await openHelperSource(localTransport(), { pid: 42, intervalMs: 100, smaps: false, sudo: false, heartbeatS: 1 }, beating);
    } finally {
      vi.useRealTimers();
    }
    opened.push(source);
    const pids: string[] = [];
    const notices: string[] = [];
    let samplesAfterRestart = 0;
    for await (const line of source) {
      if (line.type === "progress" && line.message.startsWith("pid ")) pids.push(line.message);
      else if (line.type === "progress") notices.push(line.message);
      else if (line.type === "sample" && notices.length > 0 && ++samplesAfterRestart === 3) break;
    }
    expect(notices[0]).toBe(
      "the helper on this machine heard nothing from rssdrift for 1 s (suspended?) and stopped, as it should; started it again",
    );
    // a second helper process, whose samples go on in the same stream (its repeated hello is not passed on)
    expect(pids).toHaveLength(2);
    expect(pids[0]).not.toBe(pids[1]);
  });

  it("does not restart a helper whose heartbeat ran out before it sampled: one clear error", async () => {
    const stuck = scriptedHelper(
      [],
      "import signal\nsignal.signal(signal.SIGALRM, lambda *_: os._exit(142))\nsignal.alarm(1)\nwhile os.read(0, 100): pass",
    );
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    let source: SampleSource;
    try {
      source = await open(stuck);
    } finally {
      vi.useRealTimers();
    }
    const { error } = await drain(source);
    expect(error).toMatchObject({ exitCode: EXIT.helperFailure, code: "helper-heartbeat" });
    expect(error?.message).toContain("heard nothing from rssdrift for its heartbeat period");
  });
});
