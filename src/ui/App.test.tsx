// The live view, rendered for real by Ink (ink-testing-library) over a source the test feeds.
// Expected numbers come from the hand-made counters (test/fixtures/hand-made-samples.ts), worked
// out here by hand: anon counted 224, slots +31 (CPU 1), +3 (CPU 3), -2 (CPU 0) → exact 256.
import { readFileSync } from "node:fs";
import { render } from "ink-testing-library";
import { afterEach, describe, expect, it, vi } from "vitest";
import { analyse } from "../analysis/analyse.js";
import type { BackendChoice } from "../analysis/types.js";
import { helperError } from "../errors.js";
import type { HelloLine } from "../schema/helper-line.js";
import { parseHelperLine } from "../schema/validate-line.js";
import { frameWhere, frameWith, lineWith, until } from "../../test/fixtures/frames.js";
import { handMadeHello, handMadeSampleLine, steppedCounters } from "../../test/fixtures/hand-made-samples.js";
import { pushedSource, type PushedSource } from "../../test/fixtures/pushed-source.js";
import { App } from "./App.js";
import { ThemeProvider, themeFor } from "./theme.js";
import type { Mark, ViewOutcome } from "./stream-types.js";

// frames are polled with a 10 s limit (test/fixtures/frames.ts); leave room for that
vi.setConfig({ testTimeout: 30_000 });

let unmount: (() => void) | null = null;
afterEach(() => {
  unmount?.();
  unmount = null;
});

function startApp(mode: "live" | "replay" = "live", backend?: BackendChoice) {
  const pushed = pushedSource("drgn helper on lab-trixie");
  const source: PushedSource = backend ? { ...pushed, backend } : pushed;
  const outcomes: ViewOutcome[] = [];
  const snapshots: { seq: number; marks: Mark[] }[] = [];
  const app = render(
    <App
      open={async (notice) => {
        notice("not root on this machine: running the drgn helper with sudo -n");
        return source;
      }}
      analyse={analyse}
      saveSnapshot={async (s, marks) => {
        snapshots.push({ seq: s.sample.seq, marks });
        return [`snapshots/rssdrift-4242-sample${s.sample.seq}.json`, `snapshots/rssdrift-4242-sample${s.sample.seq}.md`];
      }}
      onDone={(outcome) => outcomes.push(outcome)}
      mode={mode}
      now={() => new Date(2025, 5, 1, 12, 3, 9)}
    />,
  );
  unmount = app.unmount;
  return { app, source, outcomes, snapshots };
}

/** hello, then samples 0..n-1 of the seed counters (or of `counters(seq)`) */
function feed(source: PushedSource, n: number, hello: HelloLine = handMadeHello(), counters?: typeof steppedCounters) {
  source.push(hello);
  for (let seq = 0; seq < n; seq++) source.push(handMadeSampleLine(seq, counters ? counters(seq) : undefined, hello));
}

describe("starting", () => {
  it("shows the helper's progress and notices until the first sample", async () => {
    const { app, source } = startApp();
    source.push({ type: "progress", step: "loading-debug-info", message: "loading the kernel's debug info (a few seconds)" });
    const frame = await frameWith(app, "loading the kernel's debug info");
    expect(frame).toContain("not root on this machine: running the drgn helper with sudo -n");
    expect(frame).toContain("starting drgn helper on lab-trixie");
    expect(frame).not.toContain("Counters");
  });
});

describe("the live screen", () => {
  it("shows the header: host, kernel, era, drgn, CPUs, batch, page size, pid, comm and pace", async () => {
    const { app, source } = startApp();
    feed(source, 1);
    const frame = await frameWith(app, "Counters");
    expect(frame).toContain("drgn helper on lab-trixie");
    expect(frame).toContain("kernel 6.12.57+deb13-cloud-amd64");
    expect(frame).toContain("drgn 0.0.31");
    expect(lineWith(frame, "era ")).toMatch(/era percpu: per-CPU counters/);
    expect(frame).toContain("4 of 8 CPUs online");
    expect(frame).toContain("batch 32");
    expect(frame).toContain("page size 4 KiB");
    expect(lineWith(frame, "pid 4242")).toMatch(/sample #0 · pid 4242 drift-target · 3 threads · every 500 ms/);
  });

  it("shows the four counters, cached against exact, with the drift in pages, bytes and of the bound", async () => {
    const { app, source } = startApp();
    feed(source, 1);
    const frame = await frameWith(app, "Counters");
    // anon: 224 cached; exact 224 + 31 + 3 - 2 = 256; drift 32 pages = 131072 B = 128 KiB;
    // bound per counter 4 × (32 - 1) = 124 pages, 32/124 = 25.8%
    expect(lineWith(frame, "MM_ANONPAGES").split(/\s+/)).toEqual(["anon", "MM_ANONPAGES", "224", "256", "+32", "+128", "KiB", "26%"]);
    // file: 1000 + 1 on CPU 2
    expect(lineWith(frame, "MM_FILEPAGES").split(/\s+/).slice(2, 5)).toEqual(["1000", "1001", "+1"]);
    expect(lineWith(frame, "MM_SHMEMPAGES").split(/\s+/).slice(2, 5)).toEqual(["0", "0", "0"]);
    expect(lineWith(frame, "MM_SWAPENTS").split(/\s+/).slice(2, 5)).toEqual(["0", "0", "0"]);
    // RSS: 1224 cached, 1257 exact, +33 pages = 132 KiB, of the VmRSS bound 3 × 124 = 372: 8.9%
    expect(lineWith(frame, /^RSS /).split(/\s+/)).toEqual(["RSS", "file+anon+shmem", "1224", "1257", "+33", "+132", "KiB", "9%"]);
    expect(frame).toContain("drift = exact − cached");
  });

  it("draws a residue bar per CPU: positive slots right of the axis, negative ones left", async () => {
    const { app, source } = startApp();
    feed(source, 1);
    const frame = await frameWith(app, "Residue per CPU");
    const axis = (line: string) => line.indexOf("│");
    const cpu1 = lineWith(frame, /^cpu 1 /);
    expect(cpu1).toContain("+31");
    expect(cpu1).toContain("100% of 31");
    expect(cpu1.indexOf("█")).toBeGreaterThan(axis(cpu1));
    const cpu0 = lineWith(frame, /^cpu 0 /);
    expect(cpu0).toContain("-2");
    expect(cpu0.indexOf("█")).toBeLessThan(axis(cpu0));
    expect(lineWith(frame, /^cpu 2 /)).toContain("file +1");
    expect(lineWith(frame, /^cpu 3 /)).toContain("+3");
    // the full-bar scale is batch - 1
    expect(frame).toContain("full bar = batch − 1 = 31");
    // CPU 1 is full: its bar fills its whole side, CPU 3's (3 of 31) only a cell or two
    const cells = (line: string) => (line.slice(axis(line)).match(/█/g) ?? []).length;
    expect(cells(cpu1)).toBeGreaterThan(4 * cells(lineWith(frame, /^cpu 3 /)));
  });

  it("shows the gauge of drift against N_online × (batch − 1)", async () => {
    const { app, source } = startApp();
    feed(source, 1);
    const frame = await frameWith(app, "Drift vs bound");
    expect(frame).toContain("worst case per counter = 4 CPUs × (batch 32 − 1) = 124 pages (496 KiB)");
    expect(lineWith(frame, /^anon .*of 124 pages/)).toMatch(/26% 32 of 124 pages/);
    expect(lineWith(frame, /^RSS .*of 372 pages/)).toMatch(/9% 33 of 372 pages/);
  });

  it("shows who sees what, each reader marked as tracking cached or exact", async () => {
    const { app, source } = startApp();
    feed(source, 1);
    const frame = await frameWith(app, "Who sees what");
    expect(lineWith(frame, "/proc/PID/statm resident")).toMatch(/1257 tracks exact/);
    expect(lineWith(frame, "/proc/PID/status VmRSS")).toMatch(/1257 tracks exact/);
    expect(lineWith(frame, "/proc/PID/stat field 24")).toMatch(/1224 tracks cached/);
    expect(lineWith(frame, "smaps_rollup")).toContain("off not read (--smaps: a page-table walk, exact but slow)");
  });

  it("draws the drift history as a sparkline that steps up with each allocation", async () => {
    const { app, source } = startApp();
    // drift 33 for samples 0-4, then 10 more pages park on CPU 2 every 5 samples: 43, 53, 63
    feed(source, 20, handMadeHello(), steppedCounters);
    const frame = await frameWith(app, "sample #19");
    const line = lineWith(frame, "now +");
    const spark = line.slice(0, line.indexOf(" "));
    expect(spark).toBe("▁".repeat(5) + "▃".repeat(5) + "▆".repeat(5) + "█".repeat(5));
    expect(line).toContain("now +63 · min +33 · max +63 pages");
    expect(frame).toContain("last 20 samples");
  });

  it("draws after each sample exactly what a fresh view of the same samples draws (a section is skipped only when unchanged)", async () => {
    // the lab recording: counters, slots, readers and sentences change from sample to sample
    const lines = readFileSync(new URL("../../test/fixtures/lab-6.12-4cpu.jsonl", import.meta.url), "utf8")
      .trim()
      .split("\n")
      .map((line) => parseHelperLine(line));
    const hello = lines.find((line) => line.type === "hello")!;
    const samples = lines.filter((line) => line.type === "sample");
    const stepped = startApp();
    stepped.source.push(hello);
    for (const sample of samples) {
      stepped.source.push(sample);
      await frameWith(stepped.app, `sample #${sample.seq} `);
    }
    const fresh = startApp();
    for (const line of [hello, ...samples]) fresh.source.push(line);
    const last = `sample #${samples.at(-1)!.seq} `;
    expect(await frameWith(stepped.app, last)).toBe(await frameWith(fresh.app, last));
    stepped.app.unmount(); // the fresh one is unmounted after the test
  });

  it("explains the sample in sentences", async () => {
    const { app, source } = startApp();
    feed(source, 1);
    const frame = await frameWith(app, "What this means");
    expect(frame).toMatch(/4-CPU machine/);
  });
});

describe("keys", () => {
  it("space pauses and resumes the source, and the screen says so", async () => {
    const { app, source } = startApp();
    feed(source, 1);
    await frameWith(app, "● live");
    app.stdin.write(" ");
    const paused = await frameWith(app, "PAUSED");
    expect(paused).toContain("space resume");
    expect(source.calls).toContain("pause");
    app.stdin.write(" ");
    await frameWith(app, "● live");
    expect(source.calls.filter((c) => c === "pause" || c === "resume")).toEqual(["pause", "resume"]);
  });

  it("m marks the current sample, on the sparkline and in the list", async () => {
    const { app, source } = startApp();
    feed(source, 3);
    await frameWith(app, "sample #2");
    app.stdin.write("m");
    const frame = await frameWith(app, "marks: #1");
    expect(frame).toContain("mark #1 at sample 2 (drift +33 pages)");
    expect(lineWith(frame, "marks:")).toContain("#1 12:03:09 sample 2 drift +33");
    // the mark's number sits above the third cell of the sparkline
    const lines = frame.split("\n");
    const sparkAt = lines.findIndex((l) => l.startsWith("▁▁▁"));
    expect(lines[sparkAt - 1]).toBe("  1");
  });

  it("s saves a snapshot of the current sample and shows the file names", async () => {
    const { app, source, snapshots } = startApp();
    feed(source, 2);
    await frameWith(app, "sample #1");
    app.stdin.write("m");
    await frameWith(app, "marks: #1");
    app.stdin.write("s");
    const frame = await frameWith(app, "snapshot saved");
    expect(frame).toContain("snapshots/rssdrift-4242-sample1.json and snapshots/rssdrift-4242-sample1.md");
    expect(snapshots).toHaveLength(1);
    expect(snapshots[0]!.seq).toBe(1);
    expect(snapshots[0]!.marks.map((m) => m.number)).toEqual([1]);
  });

  it("r asks for a sample now; + and - step the interval", async () => {
    const { app, source } = startApp();
    feed(source, 1);
    await frameWith(app, "every 500 ms");
    app.stdin.write("r");
    app.stdin.write("+");
    await frameWith(app, "every 250 ms");
    app.stdin.write("-");
    app.stdin.write("-");
    await frameWith(app, "every 1000 ms");
    expect(source.calls).toEqual(["sampleNow", "interval 250", "interval 500", "interval 1000"]);
  });

  it("? shows the help overlay, and ? closes it", async () => {
    const { app, source } = startApp();
    feed(source, 1);
    await frameWith(app, "Counters");
    app.stdin.write("?");
    const help = await frameWith(app, "Keys");
    expect(help).toContain("pause / resume sampling");
    expect(help).toMatch(/bound\s+worst drift of one counter: online CPUs × \(batch − 1\)/);
    expect(help).not.toContain("Counters");
    app.stdin.write("?");
    await frameWith(app, "Counters");
  });

  it("q stops the source and ends the app", async () => {
    const { app, source, outcomes } = startApp();
    feed(source, 1);
    await frameWith(app, "Counters");
    app.stdin.write("q");
    await until(() => outcomes.length > 0, "the app ending");
    expect(outcomes).toEqual([{ kind: "quit" }]);
    expect(source.calls).toContain("close");
  });

  it("stops the source when the command's signal aborts (SIGTERM, SIGHUP)", async () => {
    const source = pushedSource();
    const outcomes: ViewOutcome[] = [];
    const abort = new AbortController();
    const app = render(
      <App
        open={async () => source}
        analyse={analyse}
        saveSnapshot={async () => []}
        onDone={(o) => outcomes.push(o)}
        mode="live"
        signal={abort.signal}
      />,
    );
    unmount = app.unmount;
    feed(source, 1);
    await frameWith(app, "Counters");
    abort.abort();
    await until(() => outcomes.length > 0, "the app ending");
    expect(outcomes).toEqual([{ kind: "interrupted" }]);
    expect(source.calls.filter((c) => c === "close")).toEqual(["close"]);
  });

  it("Ctrl-C stops the source too, as an interruption", async () => {
    const { app, source, outcomes } = startApp();
    feed(source, 1);
    await frameWith(app, "Counters");
    app.stdin.write("\u0003");
    await until(() => outcomes.length > 0, "the app ending");
    expect(outcomes).toEqual([{ kind: "interrupted" }]);
    expect(source.calls).toContain("close");
  });
});

describe("endings", () => {
  it("keeps the last sample marked 'process exited' when the target exits, and ends on a key", async () => {
    const { app, source, outcomes } = startApp();
    feed(source, 3);
    await frameWith(app, "sample #2");
    source.fail(helperError("target-exited", "process 4242 exited"));
    const frame = await frameWith(app, "process exited");
    expect(frame).toContain("press any key to exit");
    expect(lineWith(frame, "MM_ANONPAGES")).toContain("256");
    expect(frame).toContain("sample #2");
    expect(outcomes).toEqual([]);
    app.stdin.write("x");
    await until(() => outcomes.length > 0, "the app ending");
    expect(outcomes[0]).toMatchObject({ kind: "ended", end: { kind: "exited" } });
  });

  it("says 'end of recording' when a replay runs out", async () => {
    const { app, source } = startApp("replay");
    feed(source, 2);
    source.end();
    const frame = await frameWith(app, "end of recording");
    expect(frame).toContain("replay ×1.0 (recorded every 500 ms)");
  });

  it("ends at once, with the error, when the source fails before any sample", async () => {
    const { source, outcomes } = startApp();
    source.fail(helperError("not-root", "reading /proc/kcore needs root"));
    await until(() => outcomes.length > 0, "the app ending");
    expect(outcomes[0]).toMatchObject({ kind: "ended", end: { kind: "failed", error: { message: "reading /proc/kcore needs root" } } });
  });
});

describe("other eras and backends", () => {
  it("draws one bar per thread in the split-rss era", async () => {
    const { app, source } = startApp();
    const hello = handMadeHello({
      kernel: "6.1.0-50-cloud-amd64",
      drgn: "0.0.22",
      era: "split-rss",
      layout: "struct mm_rss_stat",
      slot_kind: "thread",
      batch: null,
      target: { pid: 4242, comm: "drift-target", start_time: 1, threads: 2 },
    });
    source.push(hello);
    const sample = handMadeSampleLine(0, undefined, hello);
    // the slots are threads: tids 4243 and 4244 hold 23 anon pages each (as in the lab recipe)
    sample.counters!.anon = {
      count: 100,
      cached: 100,
      exact: 146,
      residue: [
        { slot: 4243, pages: 23 },
        { slot: 4244, pages: 23 },
      ],
    };
    sample.counters!.file = { count: 1000, cached: 1000, exact: 1000, residue: [] };
    source.push(sample);
    const frame = await frameWith(app, "Residue per thread");
    expect(lineWith(frame, /^tid 4243 /)).toContain("+23");
    expect(lineWith(frame, /^tid 4244 /)).toContain("+23");
    expect(frame).toMatch(/era split-rss: per-thread caches/);
  });

  it("on 12 threads in the split-rss era draws the heat map of threads, scaled to the largest", async () => {
    const { app, source } = startApp();
    const hello = handMadeHello({
      kernel: "6.1.0-50-cloud-amd64",
      era: "split-rss",
      layout: "struct mm_rss_stat",
      slot_kind: "thread",
      batch: null,
    });
    source.push(hello);
    const sample = handMadeSampleLine(0, undefined, { ...hello, target: { ...hello.target, threads: 12 } });
    // tids 9990..10001: 10001 holds 40 (the largest, a full cell), 9990 holds -10 (¼ of it), the rest 0
    const tids = Array.from({ length: 12 }, (_, i) => 9990 + i);
    const residue = tids.map((slot) => ({ slot, pages: slot === 10001 ? 40 : slot === 9990 ? -10 : 0 }));
    sample.counters!.anon = { count: 100, cached: 100, exact: 130, residue };
    sample.counters!.file = { count: 1000, cached: 1000, exact: 1000, residue: tids.map((slot) => ({ slot, pages: 0 })) };
    sample.counters!.shmem = { count: 0, cached: 0, exact: 0, residue: tids.map((slot) => ({ slot, pages: 0 })) };
    sample.counters!.swap = { count: 0, cached: 0, exact: 0, residue: tids.map((slot) => ({ slot, pages: 0 })) };
    source.push({ ...sample, threads: 12 });
    const frame = await frameWith(app, "Residue per thread");
    expect(frame).toContain("2 of 12 hold pages");
    expect(lineWith(frame, /^ 9990 /)).toBe(" 9990 ░······· ···█");
    expect(lineWith(frame, "empty")).toContain("≤full of the largest");
    // the largest first, tids whole and padded to the widest
    expect(lineWith(frame, /^tid 10001 /)).toContain("+40");
    expect(lineWith(frame, /^tid {2}9990 /)).toContain("-10");
  });

  it("on 16 CPUs shows every CPU in the heat map and the list, largest first; o sorts the list by id", async () => {
    const { app, source } = startApp();
    const cpus = Array.from({ length: 16 }, (_, i) => i);
    const hello = handMadeHello({ cpus: { online: cpus, possible: cpus } });
    source.push(hello);
    // CPU k holds k + 1 anon pages for k = 0..9; CPU 12 holds -31 (a full negative slot)
    const residue = cpus.map((cpu) => [cpu, cpu < 10 ? cpu + 1 : cpu === 12 ? -31 : 0] as [number, number]);
    source.push(
      handMadeSampleLine(
        0,
        {
          file: { count: 10, residue: [] },
          anon: { count: 100, residue },
          shmem: { count: 0, residue: [] },
          swap: { count: 0, residue: [] },
        },
        hello,
      ),
    );
    const frame = await frameWith(app, "Residue per CPU");
    const listed = (f: string) =>
      f
        .split("\n")
        .filter((l) => /^cpu +\d+ /.test(l))
        .map((l) => Number(l.split(/\s+/)[1]));
    const byMagnitude = [12, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 10, 11, 13, 14, 15];
    expect(listed(frame)).toEqual(byMagnitude);
    expect(lineWith(frame, /^cpu +12 /)).toMatch(/█+ │ +-31/);
    expect(frame).toContain("11 of 16 hold pages");
    // one cell a CPU, 8 to a group; batch 32 → scale 31: 1–7 pages ░, 8–15 ▒, 16–23 ▓, 24–31 █
    expect(lineWith(frame, /^ 0 [·░▒▓█]/)).toBe(" 0 ░░░░░░░▒ ▒▒··█···");
    expect(lineWith(frame, "empty")).toMatch(/· empty +░▒▓█ ≤¼ ≤½ ≤¾ ≤full of batch − 1/);
    expect(lineWith(frame, "● live")).toContain("o sort:|res|");
    app.stdin.write("o");
    const sorted = await frameWith(app, "o sort:id");
    expect(listed(sorted)).toEqual(cpus);
  });

  it("scrolls the residue list of 128 CPUs with j/k, arrows, PgDn/PgUp, End/Home, and keeps ids of 100 and above whole", async () => {
    const { app, source } = startApp();
    Object.defineProperty(app.stdout, "rows", { get: () => 30, configurable: true });
    app.stdout.emit("resize");
    const cpus = Array.from({ length: 128 }, (_, i) => i);
    const hello = handMadeHello({ cpus: { online: cpus, possible: cpus }, batch: 256 });
    source.push(hello);
    const residue: [number, number][] = [
      [117, 40],
      [124, -12],
      [3, 5],
    ];
    source.push(
      handMadeSampleLine(
        0,
        {
          file: { count: 10, residue: [] },
          anon: { count: 1000, residue },
          shmem: { count: 0, residue: [] },
          swap: { count: 0, residue: [] },
        },
        hello,
      ),
    );
    const frame = await frameWith(app, "Residue per CPU");
    const listed = (f: string) =>
      f
        .split("\n")
        .filter((l) => /^cpu +\d+ /.test(l))
        .map((l) => Number(l.split(/\s+/)[1]));
    // 128 CPUs: largest first by default, every label as wide as "cpu 127"
    const rows = listed(frame);
    expect(rows.slice(0, 3)).toEqual([117, 124, 3]);
    expect(lineWith(frame, /^cpu 117 /)).toContain("+40");
    expect(lineWith(frame, /^cpu 124 /)).toContain("-12");
    expect(lineWith(frame, /^cpu {3}3 /)).toContain("+5");
    expect(frame.split("\n").length).toBeLessThan(30);
    const page = rows.length;
    expect(page).toBeGreaterThan(1);
    const firstRow = async (expected: number) => frameWhere(app, (f) => listed(f)[0] === expected, `the list starting at cpu ${expected}`);

    app.stdin.write("j");
    await firstRow(124);
    app.stdin.write("\u001B[B"); // down arrow
    await firstRow(3);
    app.stdin.write("k");
    await firstRow(124);
    app.stdin.write("\u001B[A"); // up arrow
    await firstRow(117);
    app.stdin.write("\u001B[6~"); // PgDn: the CPUs holding nothing follow, by id
    const paged = await frameWhere(app, (f) => listed(f)[0] !== 117, "a page down");
    const byMagnitude = [117, 124, 3, ...cpus.filter((cpu) => ![117, 124, 3].includes(cpu))];
    expect(listed(paged)).toEqual(byMagnitude.slice(page, 2 * page));
    app.stdin.write("\u001B[5~"); // PgUp
    await firstRow(117);
    app.stdin.write("\u001B[F"); // End: the last rows, ending with cpu 127
    const atEnd = await frameWhere(app, (f) => listed(f).at(-1) === 127, "the end of the list");
    expect(atEnd).toContain(`rows ${128 - page + 1}–128 of 128`);
    app.stdin.write("\u001B[H"); // Home
    await firstRow(117);
  });

  it("draws negative slots in the heat map with their own characters when there is no colour", async () => {
    const cpus = Array.from({ length: 16 }, (_, i) => i);
    const hello = handMadeHello({ cpus: { online: cpus, possible: cpus } });
    const source = pushedSource("replay");
    const app = render(
      <ThemeProvider theme={themeFor(false)}>
        <App open={async () => source} analyse={analyse} saveSnapshot={async () => []} onDone={() => {}} mode="replay" />
      </ThemeProvider>,
    );
    unmount = app.unmount;
    source.push(hello);
    const residue: [number, number][] = [
      [0, -31],
      [1, -12],
      [2, -4],
      [3, 31],
      [4, 20],
    ];
    source.push(
      handMadeSampleLine(
        0,
        {
          file: { count: 10, residue: [] },
          anon: { count: 100, residue },
          shmem: { count: 0, residue: [] },
          swap: { count: 0, residue: [] },
        },
        hello,
      ),
    );
    const frame = await frameWith(app, "Residue per CPU");
    expect(lineWith(frame, /^ 0 /)).toBe(" 0 #=-█▓··· ········");
    expect(lineWith(frame, "empty")).toContain("(-=≡# the same, negative)");
  });

  it("labels the procfs estimate and shows no slots", async () => {
    const { app, source } = startApp();
    const hello = handMadeHello({
      backend: "procfs",
      drgn: null,
      batch: null,
      era: "percpu",
      era_source: "version",
      layout: "",
      smaps: true,
    });
    source.push(hello);
    const sample = handMadeSampleLine(0, undefined, hello);
    source.push({ ...sample, counters: null, proc: { ...sample.proc, smaps_rollup: { Rss: 1257 * 4, Anonymous: 256 * 4 } } });
    const frame = await frameWith(app, "estimated from /proc");
    expect(frame).toContain("only a kernel backend (bpf or drgn) can read the per-CPU slots");
    expect(lineWith(frame, /^RSS /)).toMatch(/1224\s+1257\s+\+33/);
    expect(lineWith(frame, "/proc/PID/smaps_rollup")).toContain("page-table walk");
  });
});

describe("the backend auto chose", () => {
  const skipped: BackendChoice["skipped"] = [
    { backend: "bpf", code: "bpf-refused", reason: "bpf(BPF_PROG_LOAD): Operation not permitted (seccomp)", hint: "run on the host" },
    { backend: "drgn", code: "no-debug-info", reason: "no vmlinux debug info for 6.18.0", hint: "apt install linux-image-6.18.0-dbg" },
  ];

  it("names each blocker on one line under the header, and does not tell root to run as root", async () => {
    const { app, source } = startApp("live", { requested: "auto", used: "procfs", skipped });
    const hello = handMadeHello({
      backend: "procfs",
      drgn: null,
      batch: null,
      era: "percpu",
      era_source: "version",
      layout: "",
      smaps: true,
    });
    source.push(hello);
    const sample = handMadeSampleLine(0, undefined, hello);
    source.push({ ...sample, counters: null, proc: { ...sample.proc, smaps_rollup: { Rss: 1257 * 4, Anonymous: 256 * 4 } } });
    const frame = await frameWith(app, "estimated from /proc");
    const line = lineWith(frame, "not used");
    expect(line).toMatch(/^estimate; not used: bpf \(bpf-refused\): bpf\(BPF_PROG_LOAD.* · drgn \(no-debug-info\): no vmlinux/);
    expect(frame.split("\n").filter((l) => l.includes("not used"))).toHaveLength(1);
    expect(frame).not.toMatch(/as root/);
  });

  it("says which backend runs when one was skipped, and nothing when none was", async () => {
    const first = startApp("live", { requested: "auto", used: "drgn", skipped: skipped.slice(0, 1) });
    feed(first.source, 1);
    expect(lineWith(await frameWith(first.app, "Residue per CPU"), "not used")).toMatch(
      /^using drgn; not used: bpf \(bpf-refused\): bpf\(BPF_PROG_LOAD\): Operation not permitted \(seccomp\)$/,
    );
    first.app.unmount();
    const second = startApp("live", { requested: "auto", used: "bpf", skipped: [] });
    feed(
      second.source,
      1,
      handMadeHello({ backend: "bpf", drgn: null, bpf: { per_cpu_offsets: "kallsyms", insns: 300, btf_ms: 40, load_ms: 2 } }),
    );
    // wide enough for the whole title: the backend's name comes last and is cut first
    Object.defineProperty(second.app.stdout, "columns", { get: () => 120, configurable: true });
    second.app.stdout.emit("resize");
    const frame = await frameWith(second.app, "Residue per CPU");
    expect(frame).not.toContain("not used");
    expect(lineWith(frame, "kernel")).toContain("bpf (BTF, per-CPU offsets from kallsyms)");
  });
});

describe("terminal size", () => {
  it("keeps the frame shorter than a 40-row terminal, dropping explanation sentences that do not fit", async () => {
    const { app, source } = startApp();
    Object.defineProperty(app.stdout, "rows", { get: () => 40, configurable: true });
    app.stdout.emit("resize");
    feed(source, 3);
    await frameWith(app, "sample #2");
    // settles once the explanation got the lines the rest leaves
    const frame = await frameWhere(app, (f) => f.includes("What this means") && f.split("\n").length < 40, "a frame under 40 lines");
    expect(frame).toContain("more in a snapshot (s)");
  });

  it("re-lays out for a 60-column terminal on resize, every line within 60 columns", async () => {
    const { app, source } = startApp();
    feed(source, 5, handMadeHello(), steppedCounters);
    await frameWith(app, "sample #4");
    Object.defineProperty(app.stdout, "columns", { get: () => 60, configurable: true });
    app.stdout.emit("resize");
    const frame = await frameWhere(app, (f) => !f.includes("MM_ANONPAGES") && f.includes("Counters"), "the narrow layout");
    for (const line of frame.split("\n")) expect([...line].length).toBeLessThanOrEqual(60);
    expect(
      lineWith(frame, /^anon /)
        .split(/\s+/)
        .slice(0, 4),
    ).toEqual(["anon", "224", "256", "+32"]);
    expect(lineWith(frame, /^cpu 1 /)).toContain("+31");
    expect(frame).toContain("Who sees what");
  });
});
