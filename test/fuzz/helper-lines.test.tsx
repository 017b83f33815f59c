// Fuzz: mutated helper lines, made from the real recordings in test/fixtures/*.jsonl with a seeded
// PRNG (RSSDRIFT_FUZZ_SEED=N reproduces a run; a failure names its seed, index and mutation).
// Every line must be accepted, or rejected with an RssdriftError (exit 5): never a TypeError or a
// crash. What is accepted must analyse and render (text, Markdown, JSON), and the live view must
// show it and still quit on q. Recordings get byte-level damage (invalid UTF-8, NUL, CRLF, lines
// over the 1 MiB limit) and go through `replay`'s reader. Sizes are bounded: the 10 MB lines and
// the hundreds of thousands of CPUs are a handful of cases, not thousands.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { render } from "ink-testing-library";
import { afterAll, describe, expect, it, vi } from "vitest";
import { analyse } from "../../src/analysis/analyse.js";
import { EXIT, RssdriftError } from "../../src/errors.js";
import { toJsonReport } from "../../src/report/json.js";
import { renderMarkdown } from "../../src/report/markdown.js";
import { renderText } from "../../src/report/text.js";
import type { HelloLine, HelperLine, SampleLine } from "../../src/schema/helper-line.js";
import { parseHelperLine } from "../../src/schema/validate-line.js";
import { openReplaySource } from "../../src/sources/replay-source.js";
import { App } from "../../src/ui/App.js";
import type { ViewOutcome } from "../../src/ui/stream-types.js";
import { frameWhere } from "../fixtures/frames.js";
import { pushedSource } from "../fixtures/pushed-source.js";
import { manyCpus, mutators, prng, type Json } from "./mutations.js";

vi.setConfig({ testTimeout: 300_000 });

const SEED = Number(process.env.RSSDRIFT_FUZZ_SEED ?? 20261130);
const LINES = 12_000;
const FIXTURES = new URL("../fixtures/", import.meta.url).pathname;
const recordings = readdirSync(FIXTURES).filter((name) => name.endsWith(".jsonl"));
const baseTexts = recordings.flatMap((name) =>
  readFileSync(join(FIXTURES, name), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== ""),
);
const baseLines = baseTexts.map((text) => parseHelperLine(text));
const hellos = baseLines.filter((line): line is HelloLine => line.type === "hello");
const samples = baseLines.filter((line): line is SampleLine => line.type === "sample");

const scratch = mkdtempSync(join(tmpdir(), "rssdrift-fuzz-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** accepted lines worth showing in the live view, kept for the last test */
const acceptedPairs: { hello: HelloLine; sample: SampleLine; label: string }[] = [];

/** everything downstream of the parser must take what it accepted without throwing */
function useAccepted(line: HelperLine, index: number, label: string): void {
  const pairs: [HelloLine, SampleLine][] =
    line.type === "sample" ? hellos.map((hello) => [hello, line]) : line.type === "hello" ? [[line, samples[index % samples.length]!]] : [];
  for (const [hello, sample] of pairs) {
    const s = { hello, sample, analysis: analyse(hello, sample) };
    JSON.stringify(toJsonReport(s));
    if (index % 25 === 0) {
      renderText(s, { color: index % 2 === 0, width: 80 });
      renderMarkdown(s, { command: "rssdrift 1 --markdown" });
    }
    if (acceptedPairs.length < 40 && index % 5 === 0) acceptedPairs.push({ hello, sample, label });
  }
}

type Outcome = "accepted" | "rejected";

/** parses one line; a failure is described (never thrown) so the test lists every one */
function check(text: string, index: number, label: string, failures: string[]): Outcome | null {
  let line: HelperLine;
  try {
    line = parseHelperLine(text, "fuzz");
  } catch (error) {
    if (error instanceof RssdriftError && error.exitCode === EXIT.helperFailure && !error.message.includes("\n")) return "rejected";
    failures.push(`seed ${SEED} #${index} (${label}): parse threw ${String(error).slice(0, 200)}`);
    return null;
  }
  try {
    useAccepted(line, index, label);
  } catch (error) {
    failures.push(`seed ${SEED} #${index} (${label}): accepted, then ${String((error as Error).stack ?? error).slice(0, 300)}`);
    return null;
  }
  return "accepted";
}

describe(`fuzzed helper lines (seed ${SEED})`, () => {
  it(`accepts or cleanly rejects ${LINES} mutated lines, and everything accepted analyses and renders`, () => {
    const random = prng(SEED);
    const failures: string[] = [];
    const counts: Record<string, Record<Outcome, number>> = {};
    for (let index = 0; index < LINES; index++) {
      const baseIndex = Math.floor(random() * baseTexts.length);
      let text = baseTexts[baseIndex]!;
      const names: string[] = [];
      // one to three mutations on top of each other
      for (let round = 0, rounds = 1 + Math.floor(random() * 3); round < rounds; round++) {
        const mutator = mutators[Math.floor(random() * mutators.length)]!;
        let value: Json;
        try {
          value = JSON.parse(text) as Json;
        } catch {
          value = null; // an earlier round broke the JSON: text mutators still apply
        }
        try {
          text = mutator.apply(value, text, random);
          names.push(mutator.name);
        } catch {
          // the harness's own walk cannot recurse into an earlier round's deep nesting: round skipped
        }
      }
      const label = `${names.join(" + ") || "unchanged"} of fixture line ${baseIndex}`;
      const outcome = check(text, index, label, failures);
      if (outcome) {
        const name = names[0] ?? "unchanged";
        counts[name] ??= { accepted: 0, rejected: 0 };
        counts[name][outcome]++;
      }
    }
    expect(failures.slice(0, 10)).toEqual([]);
    // the fuzz must exercise both ways out: many rejections, and accepted oddities too
    const total = Object.values(counts).reduce((sum, c) => ({ accepted: sum.accepted + c.accepted, rejected: sum.rejected + c.rejected }), {
      accepted: 0,
      rejected: 0,
    });
    expect(total.accepted + total.rejected).toBe(LINES);
    expect(total.rejected).toBeGreaterThan(LINES / 2);
    expect(total.accepted).toBeGreaterThan(100);
  });

  it("takes 10 MB lines: accepted when valid, rejected in one line when not", () => {
    const failures: string[] = [];
    const big = "x".repeat(10 * 1024 * 1024);
    const progress = JSON.stringify({ type: "progress", step: "sampling", message: big });
    const comm = JSON.stringify({ ...hellos[0]!, target: { ...hellos[0]!.target, comm: big } });
    expect(check(progress, 0, "10 MB progress message", failures)).toBe("accepted");
    expect(check(comm, 0, "10 MB comm", failures)).toBe("accepted");
    expect(check("[".repeat(10 * 1024 * 1024), 1, "10 MB of [", failures)).toBe("rejected");
    expect(check(`{"type":"sample","seq":${"9".repeat(10 * 1024 * 1024)}}`, 2, "a 10 MB number", failures)).toBe("rejected");
    expect(check(big, 3, "10 MB of x", failures)).toBe("rejected");
    expect(failures).toEqual([]);
  });

  it("takes hello and sample lines with 200 000 CPUs: they analyse and render", () => {
    const failures: string[] = [];
    const [hello, sample] = manyCpus(
      hellos[0] as unknown as { [key: string]: Json },
      samples[0] as unknown as { [key: string]: Json },
      200_000,
    );
    expect(check(hello, 0, "200 000 CPUs hello", failures)).toBe("accepted");
    const wideHello = parseHelperLine(hello) as HelloLine;
    const wideSample = parseHelperLine(sample) as SampleLine;
    const s = { hello: wideHello, sample: wideSample, analysis: analyse(wideHello, wideSample) };
    expect(s.analysis.onlineCpus).toBe(200_000);
    expect(renderText(s, { color: false, width: 100 })).toContain("… and");
    expect(renderMarkdown(s, { command: "rssdrift 1 --markdown" }).length).toBeGreaterThan(200_000);
    acceptedPairs.push({ hello: wideHello, sample: wideSample, label: "200 000 CPUs" });
    expect(failures).toEqual([]);
  });
});

describe(`fuzzed recordings through replay (seed ${SEED})`, () => {
  const INVALID_UTF8 = [
    Buffer.from([0xff]),
    Buffer.from([0xc3]),
    Buffer.from([0xed, 0xa0, 0x80]),
    Buffer.from([0xf4, 0x90, 0x80, 0x80]),
    Buffer.from([0]),
  ];

  /** a recording with byte-level damage on a few lines */
  function damaged(random: () => number, index: number): Buffer {
    const name = recordings[index % recordings.length]!;
    const lines = readFileSync(join(FIXTURES, name), "utf8")
      .trim()
      .split("\n")
      .map((line) => Buffer.from(line));
    const damage = 1 + Math.floor(random() * 3);
    const done: string[] = [];
    for (let round = 0; round < damage; round++) {
      const at = Math.floor(random() * lines.length);
      const line = lines[at]!;
      const kind = Math.floor(random() * 6);
      done.push(`${kind}@${at}`);
      if (kind === 0) {
        const cut = Math.floor(random() * line.length);
        lines[at] = Buffer.concat([line.subarray(0, cut), INVALID_UTF8[Math.floor(random() * INVALID_UTF8.length)]!, line.subarray(cut)]);
      } else if (kind === 1) lines[at] = Buffer.concat([line, Buffer.from("\r")]);
      else if (kind === 2) lines[at] = line.subarray(0, Math.floor(random() * line.length));
      else if (kind === 3) lines.splice(at, 1);
      else if (kind === 4)
        lines.splice(
          at,
          0,
          Buffer.from(
            mutators[Math.floor(random() * mutators.length)]!.apply(JSON.parse(line.toString() || "null") as Json, line.toString(), random),
          ),
        );
      else if (kind === 5 && index % 50 === 0) lines[at] = Buffer.alloc(2 * 1024 * 1024, 0x61); // over the 1 MiB limit
    }
    return Buffer.concat(lines.flatMap((line) => [line, Buffer.from("\n")]));
  }

  it("plays each to its end, or stops with one RssdriftError", async () => {
    const random = prng(SEED + 1);
    const failures: string[] = [];
    let ended = 0;
    let stopped = 0;
    for (let index = 0; index < 300; index++) {
      const path = join(scratch, `damaged-${index}.jsonl`);
      let bytes: Buffer;
      try {
        bytes = damaged(random, index);
      } catch {
        continue; // a mutation of a line that was already no JSON: nothing to write
      }
      writeFileSync(path, bytes);
      try {
        const source = await openReplaySource(path, 1000);
        try {
          // one step per sample: no waiting on recorded gaps, however damaged
          for (source.sampleNow(); !(await source[Symbol.asyncIterator]().next()).done; source.sampleNow());
        } finally {
          await source.close();
        }
        ended++;
      } catch (error) {
        if (error instanceof RssdriftError && !error.message.includes("\n")) stopped++;
        else failures.push(`seed ${SEED + 1} recording #${index}: ${String(error).slice(0, 200)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(ended).toBeGreaterThan(10);
    expect(stopped).toBeGreaterThan(10);
  });
});

describe("the live view on accepted fuzz", () => {
  it("shows each accepted oddity and still quits on q", async () => {
    expect(acceptedPairs.length).toBeGreaterThan(10);
    // the oddities accepted above, and the 200 000-CPU sample
    for (const { hello, sample, label } of acceptedPairs) {
      const source = pushedSource("fuzz");
      const outcomes: ViewOutcome[] = [];
      const app = render(
        <App
          open={async () => source}
          analyse={analyse}
          saveSnapshot={async () => []}
          onDone={(outcome) => outcomes.push(outcome)}
          mode="live"
        />,
      );
      try {
        source.push(hello);
        source.push(sample);
        await frameWhere(app, (frame) => frame.includes(`sample #${sample.seq}`) || frame.includes("rssdrift:"), `the sample of ${label}`);
        app.stdin.write("q");
        await frameWhere(app, () => outcomes.length > 0, `quitting after ${label}`);
        expect(outcomes[0]!.kind, label).toBe("quit");
      } finally {
        app.unmount();
      }
    }
  });
});
