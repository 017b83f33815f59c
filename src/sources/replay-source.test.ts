// Replay of recordings: validation of every line (as live), pacing by mono_ms / speed, and the
// controls (pause, one step, speed). Pacing is checked on fake timers, so no wall-clock timing.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { EXIT, RssdriftError } from "../errors.js";
import type { HelperLine } from "../schema/helper-line.js";
import { openReplaySource, readRecording, replaySource } from "./replay-source.js";

const FIXTURE = new URL("../../test/fixtures/lab-6.12-4cpu.jsonl", import.meta.url).pathname;
const fixtureLines = readFileSync(FIXTURE, "utf8").trim().split("\n");
const scratch = mkdtempSync(join(tmpdir(), "rssdrift-replay-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function recordingOf(name: string, lines: string[]): string {
  const path = join(scratch, name);
  writeFileSync(path, lines.join("\n") + "\n");
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
    const err = await rejection(readRecording(recordingOf("text.jsonl", [...fixtureLines.slice(0, 5), "Traceback (most recent call last):"])));
    expect(err.exitCode).toBe(EXIT.helperFailure);
    expect(err.message).toContain("line 6: printed a line that is not JSON");
  });

  it("rejects a file without a hello line, or with samples before it", async () => {
    expect((await rejection(readRecording(recordingOf("nohello.jsonl", fixtureLines.slice(4))))).message).toContain("no hello line");
    const swapped = [fixtureLines[4]!, fixtureLines[3]!, ...fixtureLines.slice(5)];
    expect((await rejection(readRecording(recordingOf("order.jsonl", swapped)))).message).toContain("before the hello line");
  });

  it("says a missing file is bad input", async () => {
    const err = await rejection(readRecording(join(scratch, "absent.jsonl")));
    expect(err.exitCode).toBe(EXIT.badInput);
    expect(err.message).toContain("no such file");
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
    return { hello, lines: lines.map((l) => (l.type === "sample" ? { ...l, mono_ms: 5000 + 1000 * seq++ } : l)) };
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
    expect(reading.samples()).toBe(1); // progress, hello and the first sample at once
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
