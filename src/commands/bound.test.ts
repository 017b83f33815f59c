// `rssdrift bound` run as the CLI runs it, against docs/how-rss-is-counted.md's worked numbers.
import { execFileSync } from "node:child_process";
import { release } from "node:os";
import { PassThrough, Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { EXIT, RssdriftError } from "../errors.js";
import { boundCommand } from "./bound.js";
import { runCommandLine } from "./command.js";

async function run(argv: string[], options: { tty?: boolean; env?: NodeJS.ProcessEnv } = {}) {
  let out = "";
  const stdout = Object.assign(
    new Writable({
      write(chunk, _encoding, done) {
        out += String(chunk);
        done();
      },
    }),
    { isTTY: options.tty ?? false },
  );
  const code = await runCommandLine(boundCommand, argv, {
    stdin: new PassThrough(),
    stdout,
    stderr: stdout,
    env: options.env ?? {},
    signal: new AbortController().signal,
  });
  return { code, out };
}

async function badInput(argv: string[]): Promise<RssdriftError> {
  const err = await runCommandLine(boundCommand, argv, {
    stdin: new PassThrough(),
    stdout: new Writable(),
    stderr: new Writable(),
    env: {},
    signal: new AbortController().signal,
  }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(RssdriftError);
  expect((err as RssdriftError).exitCode).toBe(EXIT.badInput);
  expect((err as RssdriftError).message).not.toContain("\n");
  return err as RssdriftError;
}

const ESC = "\u001b";

describe("rssdrift bound --cpus", () => {
  it("prints docs/how-rss-is-counted.md's numbers", async () => {
    const { code, out } = await run(["--cpus", "1,2,8,32,128,256", "--page-size", "4096"]);
    expect(code).toBe(EXIT.ok);
    const rows = new Map(
      [...out.matchAll(/^ +(\d+) +(\d+) +≤ (\d+) pages \(([^)]+)\) +≤ (\d+) pages/gm)].map((m) => [
        Number(m[1]),
        { batch: Number(m[2]), pages: Number(m[3]), bytes: m[4], rss: Number(m[5]) },
      ]),
    );
    // docs/how-rss-is-counted.md: 8 → 248 pages ≈ 1 MiB; 32 → batch 64, 2016 pages ≈ 7.9 MiB;
    // 128 → batch 256, 32 640 pages ≈ 127.5 MiB; 256 → 130 816 pages ≈ 511 MiB.
    // By hand: 1 CPU → 1 × (32 − 1) = 31 pages = 124 KiB; 2 CPUs → 2 × 31 = 62 pages = 248 KiB.
    expect(rows.get(1)).toEqual({ batch: 32, pages: 31, bytes: "124 KiB", rss: 93 });
    expect(rows.get(2)).toEqual({ batch: 32, pages: 62, bytes: "248 KiB", rss: 186 });
    expect(rows.get(8)).toEqual({ batch: 32, pages: 248, bytes: "≈1 MiB", rss: 744 });
    expect(rows.get(32)).toEqual({ batch: 64, pages: 2016, bytes: "≈7.9 MiB", rss: 6048 });
    expect(rows.get(128)).toEqual({ batch: 256, pages: 32640, bytes: "127.5 MiB", rss: 97920 });
    expect(rows.get(256)).toEqual({ batch: 512, pages: 130816, bytes: "511 MiB", rss: 392448 });
    expect(out).toContain("era percpu");
  });

  it("multiplies the bytes by 16 with 64 KiB pages", async () => {
    const { out } = await run(["--cpus", "8", "--page-size", "64K"]);
    // 248 pages × 64 KiB = 15.5 MiB
    expect(out).toMatch(/ 8 +32 +≤ 248 pages \(15\.5 MiB\)/);
  });

  it("says what a 1 MiB allocation can read as", async () => {
    const { out } = await run(["--cpus", "1,128", "--page-size", "4K", "--alloc", "1MiB"]);
    // 1 CPU: 256 − 31 = 225 pages = 900 KiB at least; 128 CPUs: the bound (32640) exceeds 256 pages
    expect(out).toMatch(/1 CPU +900 KiB … ≈1\.1 MiB +short by up to 31 pages \(124 KiB\)/);
    expect(out).toMatch(/128 CPUs +0 B … 128\.5 MiB +can read 0: bound 32640 > 256 pages/);
  });

  it("prints rows as JSON", async () => {
    const { out } = await run(["--cpus", "8,128", "--page-size", "4096", "--alloc", "1MiB", "--json"]);
    const report = JSON.parse(out);
    expect(report.schema).toBe("rssdrift-bound/1");
    expect(report.rows.map((r: { cpus: number; perCounter: { pages: number } }) => [r.cpus, r.perCounter.pages])).toEqual([
      [8, 248],
      [128, 32640],
    ]);
    expect(report.rows[1].perCounter.bytes).toBe(127.5 * 1024 * 1024);
    expect(report.rows[0].vmRss.pages).toBe(744);
    expect(report.rows[0].allocation).toMatchObject({ allocPages: 256, lowPages: 8, canReadZero: false });
    expect(report.rows[1].allocation.canReadZero).toBe(true);
  });
});

describe("rssdrift bound, split-rss", () => {
  it("bounds by threads", async () => {
    const { out } = await run(["--era", "split-rss", "--threads", "1,5", "--page-size", "4096"]);
    // 64 faults × 5 threads × 16 pages = 5120 pages = 20 MiB
    expect(out).toMatch(/ 5 +≈ 5120 pages \(20 MiB\) +≈ 5120 pages \(20 MiB\)/);
    expect(out).toMatch(/ 1 +≈ 1024 pages \(4 MiB\)/);
  });

  it("takes --threads alone as the split-rss era", async () => {
    const { out } = await run(["--threads", "8", "--page-size", "4096", "--json"]);
    expect(JSON.parse(out).rows[0]).toMatchObject({ threads: 8, approximate: true, perCounter: { pages: 8192 } });
  });
});

describe("rssdrift bound on this machine", () => {
  it("counts the online CPUs and guesses the era from the running kernel", async () => {
    const { out } = await run(["--json"]);
    const report = JSON.parse(out);
    const online = Number(execFileSync("getconf", ["_NPROCESSORS_ONLN"], { encoding: "utf8" }).trim());
    expect(report.onlineCpusHere).toBe(online);
    expect(report.rows.map((r: { cpus: number }) => r.cpus)).toEqual([online]);
    expect(report.eraNote).toContain(`guessed from the kernel release ${release()}`);
    const [major, minor] = release().split(".").map(Number);
    expect(report.era).toBe(major! > 6 || (major === 6 && minor! >= 2) ? "percpu" : "split-rss");
  });

  it("says where the era came from in the text", async () => {
    const { out } = await run([]);
    expect(out.replace(/\s+/g, " ")).toContain(`guessed from the kernel release ${release()}`);
    expect(out).toContain("← here");
  });

  it("plots the bound with this machine marked, within 80 columns", async () => {
    const { out } = await run(["--cpus", "8,32,128", "--plot"]);
    expect(out).toContain("Bound per counter (4 KiB pages) against online CPUs:");
    expect(out).toMatch(/▲ this machine: \d+ CPUs?/);
    for (const line of out.split("\n")) expect([...line].length, line).toBeLessThanOrEqual(80);
  });
});

describe("rssdrift bound output", () => {
  it("has no escape codes when NO_COLOR is set or stdout is not a terminal", async () => {
    expect((await run(["--cpus", "8"], { tty: true, env: { NO_COLOR: "1" } })).out).not.toContain(ESC);
    expect((await run(["--cpus", "8"], { tty: false })).out).not.toContain(ESC);
    expect((await run(["--cpus", "8"], { tty: true })).out).toContain(`${ESC}[`);
  });

  it("teaches in --help", async () => {
    const { code, out } = await run(["--help"]);
    expect(code).toBe(EXIT.ok);
    expect(out).toContain("N × (batch − 1) pages");
    for (const line of out.split("\n")) expect([...line].length, line).toBeLessThanOrEqual(80);
    expect(out).toContain("rssdrift bound --cpus 8,32,128 --alloc 1MiB");
  });
});

describe("rssdrift bound, bad input", () => {
  it.each([
    [["--cpus", "0"]],
    [["--cpus", "eight"]],
    [["--cpus", "8,,32"]],
    [["--cpus", "9000"]],
    [["--era", "hierarchical"]],
    [["--page-size", "3000"]],
    [["--page-size", "1M"]],
    [["--alloc", "1XB"]],
    [["--alloc", "0"]],
    [["--threads", "4", "--era", "percpu"]],
    [["--cpus", "8", "--era", "split-rss"]],
    [["--cpus", "8", "--threads", "2"]],
    [["--plot", "--json"]],
    [["--bogus"]],
    [["1234"]],
    [["--cpus"]],
  ])("rejects %j with one line and exit code 2", async (argv) => {
    await badInput(argv);
  });

  it("names the flag at fault", async () => {
    expect((await badInput(["--page-size", "3000"])).message).toContain("--page-size");
    expect((await badInput(["--alloc", "lots"])).message).toContain('--alloc takes a size such as 1MiB, 512K or 4096 (bytes), not "lots"');
  });
});
