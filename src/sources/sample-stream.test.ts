import { describe, expect, it } from "vitest";
import { analyse } from "../analysis/analyse.js";
import { EXIT } from "../errors.js";
import { lab612Hello, lab612Sample, lab61Hello, lab61Sample } from "../../test/fixtures/lab-samples.js";
import { pushedSource } from "../../test/fixtures/pushed-source.js";
import { readStream, type StreamEvent } from "./sample-stream.js";

async function eventsOf(source: ReturnType<typeof pushedSource>): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of readStream(source, analyse)) events.push(event);
  return events;
}

describe("readStream", () => {
  it("passes progress and hello on, and analyses each sample against the hello it follows", async () => {
    const source = pushedSource();
    source.push({ type: "progress", step: "starting", message: "loading" });
    source.push(lab612Hello);
    source.push(lab612Sample);
    // a second helper start (a reconnect) on another kernel: its samples go with the new hello
    source.push(lab61Hello);
    source.push(lab61Sample);
    source.end();
    const events = await eventsOf(source);
    expect(events.map((e) => e.kind)).toEqual(["progress", "hello", "sample", "hello", "sample"]);
    const samples = events.flatMap((e) => (e.kind === "sample" ? [e.analysed] : []));
    expect(samples[0]!.hello).toBe(lab612Hello);
    expect(samples[0]!.analysis).toEqual(analyse(lab612Hello, lab612Sample));
    expect(samples[1]!.hello).toBe(lab61Hello);
    expect(samples[1]!.analysis).toEqual(analyse(lab61Hello, lab61Sample));
    expect(samples[0]!.backend).toBeUndefined();
  });

  it("attaches how the source's backend was picked to every sample", async () => {
    const source = { ...pushedSource(), backend: { requested: "auto" as const, used: "bpf" as const, skipped: [] } };
    source.push(lab612Hello);
    source.push(lab612Sample);
    source.end();
    const events = await eventsOf(source);
    expect(events.at(-1)).toMatchObject({ kind: "sample", analysed: { backend: source.backend } });
  });

  it("refuses a sample before any hello line as a helper failure", async () => {
    const source = pushedSource("scripted helper");
    source.push(lab612Sample);
    source.end();
    await expect(eventsOf(source)).rejects.toMatchObject({
      exitCode: EXIT.helperFailure,
      message: "scripted helper sent a sample before its hello line",
    });
  });
});
