// Replay of recordings: validation of every line (as live), pacing by mono_ms / speed, and the
// controls (pause, one step, speed). Pacing is checked on fake timers, so no wall-clock timing.
import { execFileSync } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { EXIT, RssdriftError } from "../errors.js";
import type { HelperLine } from "../schema/helper-line.js";
import { MAX_GAP_MS, openReplaySource, readRecording, replaySource } from "./replay-source.js";

const FIXTURE = new URL("../../test/fixtures/lab-6.12-4cpu.jsonl", import.meta.url).pathname;
const fixtureLines = readFileSync(FIXTURE, "utf8").trim().split("\n");
const scratch = mkdtempSync(join(tmpdir(), "rssdrift-replay-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function recordingOf(name: string, lines: string[]): string {
  const path = join(scratch, name);
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

async function rejection(promise: Promise<unknown>): Promise<RssdriftError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof RssdriftError) return err;
    throw err;
  }
  throw new Error("expected a rejection");
}

describe("readRecording", () => {
  it("reads the lab recording: 3 progress lines, the hello line and 40 samples", async () => {
    const { lines, hello } = await readRecording(FIXTURE);
    expect(lines.map((l) => l.type)).toEqual([...Array(3).fill("progress"), "hello", ...Array(40).fill("sample")]);
    expect(hello).toMatchObject({ kernel: "6.12.107+deb13-cloud-amd64", era: "percpu", batch: 32, interval_ms: 500 });
  });

  it("names the file and line of a malformed line, with the helper-failure exit code", async () => {
    const broken = [...fixtureLines];
    broken[5] = broken[5]!.replace('"seq":1,', '"seq":"one",');
    const err = await rejection(readRecording(recordingOf("broken.jsonl", broken)));
    expect(err.exitCode).toBe(EXIT.helperFailure);
    expect(err.message).toMatch(/broken\.jsonl line 6:.*\/seq/);
  });

  it("rejects a line that is not JSON", async () => {
    const err = await rejection(
      readRecording(recordingOf("text.jsonl", [...fixtureLines.slice(0, 5), "Traceback (most recent call last):"])),
    );
    expect(err.exitCode).toBe(EXIT.helperFailure);
    expect(err.message).toContain("line 6: printed a line that is not JSON");
  });

  it("rejects a file without a hello line, or with samples before it", async () => {
    expect((await rejection(readRecording(recordingOf("nohello.jsonl", fixtureLines.slice(4))))).message).toContain(
      "no hello line before its first sample",
    );
    expect((await rejection(readRecording(recordingOf("progress.jsonl", fixtureLines.slice(0, 3))))).message).toContain(
      "it has no hello line",
    );
    const swapped = [fixtureLines[4]!, fixtureLines[3]!, ...fixtureLines.slice(5)];
    expect((await rejection(readRecording(recordingOf("order.jsonl", swapped)))).message).toContain(
      "no hello line before its first sample",
    );
  });

  it("says a missing file is bad input", async () => {
    const err = await rejection(readRecording(join(scratch, "absent.jsonl")));
    expect(err.exitCode).toBe(EXIT.badInput);
    expect(err.message).toContain("no such file");
  });

  it("says a directory is bad input (it opens, and fails on the first read)", async () => {
    const err = await rejection(readRecording(scratch));
    expect(err).toBeInstanceOf(RssdriftError);
    expect(err.exitCode).toBe(EXIT.badInput);
    expect(err.message).toBe(`cannot read recording ${scratch}: it is a directory`);
  });
});

describe("playback", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** the recording's lines, with sample mono_ms set to 1000 ms apart */
  async function evenlySpaced(): Promise<{ lines: HelperLine[]; hello: Extract<HelperLine, { type: "hello" }> }> {
    const { lines, hello } = await readRecording(FIXTURE);
    let seq = 0;
    // what follows the hello line, as the player gets it
    const rest = lines.slice(lines.indexOf(hello) + 1);
    return { hello, lines: rest.map((l) => (l.type === "sample" ? { ...l, mono_ms: 5000 + 1000 * seq++ } : l)) };
  }

  /** pulls lines in the background; `got` grows as they arrive */
  function pull(source: AsyncIterable<HelperLine>) {
    const got: HelperLine[] = [];
    const done = (async () => {
      for await (const line of source) got.push(line);
    })();
    return { got, done, samples: () => got.filter((l) => l.type === "sample").length };
  }

  it("plays samples at their recorded gaps divided by the speed", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    const { lines, hello } = await evenlySpaced();
    const reading = pull(replaySource("even.jsonl", lines, hello, 2));
    await vi.advanceTimersByTimeAsync(0);
    expect(reading.samples()).toBe(1); // hello and the first sample at once
    await vi.advanceTimersByTimeAsync(499);
    expect(reading.samples()).toBe(1);
    await vi.advanceTimersByTimeAsync(1); // 1000 ms recorded at ×2
    expect(reading.samples()).toBe(2);
    await vi.advanceTimersByTimeAsync(500 * 38);
    await reading.done;
    expect(reading.samples()).toBe(40);
  });

  it("holds while paused, steps one sample on sampleNow, and goes on after resume", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    const { lines, hello } = await evenlySpaced();
    const source = replaySource("even.jsonl", lines, hello, 1);
    const reading = pull(source);
    await vi.advanceTimersByTimeAsync(0);
    source.setPaused(true);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(reading.samples()).toBe(1);
    source.sampleNow();
    await vi.advanceTimersByTimeAsync(0);
    expect(reading.samples()).toBe(2);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(reading.samples()).toBe(2);
    source.setPaused(false);
    await vi.advanceTimersByTimeAsync(999);
    expect(reading.samples()).toBe(2); // a full gap after resuming, the pause not counted
    await vi.advanceTimersByTimeAsync(1);
    expect(reading.samples()).toBe(3);
    await source.close();
    await reading.done;
  });

  it("sampleNow skips the wait while playing; setInterval changes the speed", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    const { lines, hello } = await evenlySpaced();
    const source = replaySource("even.jsonl", lines, hello, 1);
    const reading = pull(source);
    await vi.advanceTimersByTimeAsync(0);
    source.sampleNow();
    await vi.advanceTimersByTimeAsync(0);
    expect(reading.samples()).toBe(2);
    // recorded every 500 ms (hello.interval_ms); asking for 125 ms plays at ×4: 1000 ms gaps take 250
    source.setInterval(125);
    await vi.advanceTimersByTimeAsync(250);
    expect(reading.samples()).toBe(3);
    await vi.advanceTimersByTimeAsync(250);
    expect(reading.samples()).toBe(4);
    await source.close();
    await reading.done;
  });

  it("ends a pending wait on close", async () => {
    const source = await openReplaySource(FIXTURE, 0.1);
    const reading = pull(source);
    while (reading.samples() < 1) await new Promise((resolve) => setTimeout(resolve, 5));
    await source.close();
    await reading.done;
    expect(reading.samples()).toBe(1);
  });

  it("throws the recorded error line as the live source would", async () => {
    const exited = JSON.stringify({ type: "error", code: "target-exited", message: "process 689 exited" });
    const source = await openReplaySource(recordingOf("exited.jsonl", [...fixtureLines.slice(0, 6), exited]), 1000);
    const got: HelperLine[] = [];
    const err = await rejection(
      (async () => {
        for await (const line of source) got.push(line);
      })(),
    );
    expect(err.exitCode).toBe(EXIT.targetGone);
    expect(err.code).toBe("target-exited");
    expect(got.filter((l) => l.type === "sample")).toHaveLength(2);
  });
});

describe("streaming", () => {
  it("plays the first sample before the file is complete (a FIFO its writer keeps open)", async () => {
    const fifo = join(scratch, "live.fifo");
    execFileSync("mkfifo", [fifo]);
    const writer = createWriteStream(fifo);
    writer.write(`${fixtureLines.slice(0, 5).join("\n")}\n`); // progress ×3, hello, sample 0
    const source = await openReplaySource(fifo, 1000);
    const iterator = source[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toMatchObject({ type: "hello" });
    expect((await iterator.next()).value).toMatchObject({ type: "sample", seq: 0 });
    // the file has not ended: the rest comes as it is written
    writer.end(`${fixtureLines[5]}\n`);
    expect((await iterator.next()).value).toMatchObject({ type: "sample", seq: 1 });
    expect((await iterator.next()).done).toBe(true);
    await source.close();
  });

  it("plays a recording of tens of MB through, every sample validated, in order", async () => {
    const [hello, ...samples] = fixtureLines.slice(3);
    const path = join(scratch, "big.jsonl");
    const out = createWriteStream(path);
    const count = 30_000;
    for (let seq = 0; seq < count; seq++) {
      const sample = JSON.parse(samples[seq % samples.length]!) as { seq: number; mono_ms: number };
      // every sample at the same moment: played as fast as it is read
      const line = `${JSON.stringify({ ...sample, seq, mono_ms: 1000 })}\n`;
      if (!out.write(seq === 0 ? `${hello}\n${line}` : line)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
    }
    await new Promise<void>((resolve) => out.end(() => resolve()));
    expect(statSync(path).size).toBeGreaterThan(20 * 1024 * 1024);
    const source = await openReplaySource(path, 1000);
    let seen = 0;
    for await (const line of source) if (line.type === "sample") expect(line.seq).toBe(seen++);
    expect(seen).toBe(count);
  });

  it("stops at a line over 1 MiB, naming it, without reading it whole", async () => {
    const path = join(scratch, "long.jsonl");
    writeFileSync(path, [...fixtureLines.slice(0, 5), "x".repeat(3 * 1024 * 1024)].join("\n"));
    const source = await openReplaySource(path, 1000);
    const err = await rejection(
      (async () => {
        for await (const _ of source);
      })(),
    );
    expect(err.exitCode).toBe(EXIT.helperFailure);
    expect(err.message).toBe(`${path} line 6 is longer than 1 MiB: not a helper line`);
  });

  it("plays a recorded gap over 2^31 ms as MAX_GAP_MS, and says so", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    try {
      const { lines, hello } = await readRecording(FIXTURE);
      const [first, second] = lines.filter((l) => l.type === "sample");
      const later = { ...second!, mono_ms: first!.mono_ms + 2 ** 32 };
      const source = replaySource("gap.jsonl", [first!, later], hello, 1);
      const got: HelperLine[] = [];
      const done = (async () => {
        for await (const line of source) got.push(line);
      })();
      await vi.advanceTimersByTimeAsync(0);
      expect(got.map((l) => l.type)).toEqual(["hello", "sample", "progress"]);
      expect(got[2]).toMatchObject({ message: `the recording has a 1193.0 h gap before sample #${later.seq}: played as 60 s (at ×1)` });
      await vi.advanceTimersByTimeAsync(MAX_GAP_MS - 1);
      expect(got).toHaveLength(3);
      await vi.advanceTimersByTimeAsync(1);
      await done;
      expect(got.at(-1)).toBe(later);
    } finally {
      vi.useRealTimers();
    }
  });
});
