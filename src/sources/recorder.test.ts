// --record: what is written is what was read, line for line, and replays the same way.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EXIT, RssdriftError } from "../errors.js";
import { openRecorder } from "./recorder.js";
import { openReplaySource, readRecording } from "./replay-source.js";

const FIXTURE = new URL("../../test/fixtures/lab-6.12-4cpu.jsonl", import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), "rssdrift-record-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function drain(source: AsyncIterable<unknown>): Promise<unknown> {
  try {
    for await (const _ of source);
  } catch (err) {
    return err;
  }
  return null;
}

describe("openRecorder", () => {
  it("writes every line as it passes, so the recording reads back as the same lines", async () => {
    const path = join(scratch, "copy.jsonl");
    const recorder = openRecorder(path);
    await drain(recorder.record(await openReplaySource(FIXTURE, 1000)));
    recorder.close();
    // a replay passes on everything but the recording's own progress lines
    const original = (await readRecording(FIXTURE)).lines.filter((line) => line.type !== "progress");
    const copy = await readRecording(path);
    expect(copy.lines).toEqual(original);
    // byte for byte too: the helper prints compact JSON, and so does the recorder
    const fixtureLines = readFileSync(FIXTURE, "utf8")
      .split("\n")
      .filter((line) => !line.includes('"type":"progress"'));
    expect(readFileSync(path, "utf8")).toBe(fixtureLines.join("\n"));
  });

  it("writes the error that ended the source as the helper's error line", async () => {
    const lines = readFileSync(FIXTURE, "utf8").trim().split("\n").slice(0, 6);
    const exited = { type: "error", code: "target-exited", message: "process 689 exited" };
    const input = join(scratch, "exited-in.jsonl");
    writeFileSync(input, `${[...lines, JSON.stringify(exited)].join("\n")}\n`);
    const path = join(scratch, "exited-out.jsonl");
    const recorder = openRecorder(path);
    const err = await drain(recorder.record(await openReplaySource(input, 1000)));
    expect(err).toBeInstanceOf(RssdriftError);
    const written = readFileSync(path, "utf8").trim().split("\n");
    expect(written).toHaveLength(4); // hello, two samples (the 3 progress lines are not replayed), the error
    expect(JSON.parse(written[3]!)).toEqual(exited);
  });

  it("fails before sampling when the file cannot be written", () => {
    expect(() => openRecorder(join(scratch, "no-such-dir", "x.jsonl"))).toThrow(
      expect.objectContaining({ exitCode: EXIT.badInput, message: expect.stringContaining("cannot write the recording") }),
    );
  });
});
