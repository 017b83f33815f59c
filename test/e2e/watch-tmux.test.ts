// The real built CLI in a real terminal: tmux runs `node dist/cli/rssdrift.js replay …` in a
// pane, the test types keys with send-keys and reads the screen with capture-pane. Every wait
// polls the screen until a condition holds, with a generous limit; nothing is timed.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = new URL("../../", import.meta.url).pathname;
const CLI = join(ROOT, "dist/cli/rssdrift.js");
const RECORDING = join(ROOT, "test/fixtures/lab-6.12-4cpu.jsonl");
const RECORDINGS = {
  4: RECORDING,
  16: join(ROOT, "test/fixtures/lab-6.12-16cpu.jsonl"),
  256: join(ROOT, "test/fixtures/synthetic-256cpu.jsonl"),
} as const;
// a private tmux server, so the test never touches the user's sessions
const SOCKET = `rssdrift-e2e-${process.pid}`;
const LIMIT_MS = 60_000;

function tmux(...args: string[]): string {
  return execFileSync("tmux", ["-L", SOCKET, ...args], { encoding: "utf8" });
}

interface Pane {
  name: string;
  screen(options?: { escapes?: boolean }): string;
  /** lines the pane pushed into its scrollback so far */
  history(): number;
  resize(columns: number, rows: number): void;
  keys(...keys: string[]): void;
  /** the exit status once the process has ended, else null */
  exitStatus(): number | null;
}

const statusDir = mkdtempSync(join(tmpdir(), "rssdrift-e2e-status-"));

/**
 * Starts `node dist/cli/rssdrift.js ARGS` in a fresh pane of COLUMNS × ROWS. A small sh wrapper
 * writes node's exit status to a file when node has ended (tmux's own #{pane_dead_status} was not
 * reliable here), and the pane stays open (remain-on-exit) with the last screen.
 */
function startPane(
  name: string,
  args: string[],
  options: { columns?: number; rows?: number; env?: Record<string, string>; cwd?: string } = {},
): Pane {
  const env = Object.entries({ TERM: "xterm-256color", ...options.env }).map(([k, v]) => `${k}=${v}`);
  const statusFile = join(statusDir, name);
  // env -u CI: Ink renders only a final frame when it thinks it runs in CI
  const wrapper = 'status_file=$1; shift; env -u CI "$@"; echo $? > "$status_file"';
  const command = ["sh", "-c", wrapper, "sh", statusFile, ...env, process.execPath, CLI, ...args];
  tmux(
    "new-session",
    "-d",
    "-s",
    name,
    "-x",
    String(options.columns ?? 100),
    "-y",
    String(options.rows ?? 40),
    "-c",
    options.cwd ?? ROOT,
    ...command,
  );
  tmux("set-option", "-t", name, "remain-on-exit", "on");
  return {
    name,
    screen: ({ escapes = false } = {}) => tmux("capture-pane", "-p", ...(escapes ? ["-e"] : []), "-t", name),
    history: () => Number(tmux("display-message", "-p", "-t", name, "#{history_size}").trim()),
    resize: (columns, rows) => void tmux("resize-window", "-t", name, "-x", String(columns), "-y", String(rows)),
    keys: (...keys) => void tmux("send-keys", "-t", name, ...keys),
    exitStatus: () => {
      const text = existsSync(statusFile) ? readFileSync(statusFile, "utf8").trim() : "";
      return text === "" ? null : Number(text);
    },
  };
}

async function until<T>(what: string, probe: () => T | null | undefined | false, pane?: Pane): Promise<T> {
  const deadline = Date.now() + LIMIT_MS;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${LIMIT_MS / 1000} s${pane ? `; screen:\n${pane.screen()}` : ""}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const screenWith = (pane: Pane, text: string | RegExp) =>
  until(
    `screen showing ${String(text)}`,
    () => {
      const screen = pane.screen();
      return (typeof text === "string" ? screen.includes(text) : text.test(screen)) && screen;
    },
    pane,
  );

const scratchDirs: string[] = [];
const sampleNumber = (screen: string) => Number(/sample #(\d+)/.exec(screen)?.[1] ?? -1);

afterAll(() => {
  rmSync(statusDir, { recursive: true, force: true });
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
  try {
    tmux("kill-server");
  } catch {
    // no server left
  }
});

describe("rssdrift replay in a terminal", { timeout: 4 * LIMIT_MS }, () => {
  it("is built", () => {
    expect(existsSync(CLI), `${CLI} is missing: run npm run build`).toBe(true);
  });

  it("pauses, steps, marks, saves a snapshot, shows help and quits, stopping cleanly", async () => {
    // in a scratch directory, so that snapshots land in its ./snapshots (the default)
    const cwd = mkdtempSync(join(tmpdir(), "rssdrift-e2e-"));
    scratchDirs.push(cwd);
    const pane = startPane("keys", ["replay", RECORDING], { cwd });

    // the live screen, with the recording's own numbers: kernel 6.12 in the lab, batch 32
    const first = await screenWith(pane, /sample #[3-9]/);
    expect(first).toContain("kernel 6.12.107+deb13-cloud-amd64");
    expect(first).toContain("4 of 4 CPUs online · batch 32 · page size 4 KiB");
    expect(first).toMatch(/pid 689 step-target/);
    expect(first).toMatch(/^cpu 3 .*│/m);
    expect(first).toContain("Who sees what");

    pane.keys("Space");
    const paused = await screenWith(pane, "PAUSED");
    const at = sampleNumber(paused);
    expect(at).toBeGreaterThanOrEqual(3);

    pane.keys("m");
    const marked = await screenWith(pane, "marks: #1");
    expect(marked).toContain(`mark #1 at sample ${sampleNumber(marked)}`);

    pane.keys("s");
    // the names may wrap onto the next line, between words
    const savedMessage = /snapshot saved: (\S+\.json)\s+and\s+(\S+\.md)/;
    const saved = await screenWith(pane, savedMessage);
    const [, json, md] = savedMessage.exec(saved)!;
    expect(json).toMatch(/^snapshots\/rssdrift-689-s\d+-\d{8}T\d{6}\.json$/);
    expect(readdirSync(join(cwd, "snapshots")).sort()).toEqual([json!, md!].map((p) => p.slice("snapshots/".length)).sort());
    const report = JSON.parse(readFileSync(join(cwd, json!), "utf8"));
    expect(report.schema).toBe("rssdrift-report/1");
    expect(report.sample.seq).toBe(sampleNumber(saved));
    expect(report.marks).toHaveLength(1);
    expect(readFileSync(join(cwd, md!), "utf8")).toContain("| mark | time | sample | drift (pages) |");

    // while paused, r plays exactly the next sample
    const before = sampleNumber(pane.screen());
    pane.keys("r");
    await until("one step", () => sampleNumber(pane.screen()) === before + 1, pane);

    pane.keys("?");
    await screenWith(pane, "What the numbers mean");
    pane.keys("?");
    await screenWith(pane, "Counters (pages)");

    pane.keys("q");
    const status = await until(
      "the process to end",
      () => {
        const s = pane.exitStatus();
        return s === null ? null : { s };
      },
      pane,
    );
    expect(status.s).toBe(0);
    // Ink leaves the last frame on the screen
    expect(pane.screen()).toContain("Counters (pages)");
  });

  it("honours NO_COLOR, and draws in colour without it", async () => {
    const coloured = startPane("colour", ["replay", RECORDING]);
    const plain = startPane("nocolour", ["replay", RECORDING], { env: { NO_COLOR: "1" } });
    await screenWith(coloured, "sample #1");
    await screenWith(plain, "sample #1");
    // SGR foreground colours: 30–37, 90–97, or 38;… (Ink may combine them with bold in one sequence)
    const colour = /\x1b\[(?:[0-9;]*;)?(?:3[0-8]|9[0-7])[;m]/;
    expect(coloured.screen({ escapes: true })).toMatch(colour);
    expect(plain.screen({ escapes: true })).not.toMatch(colour);
    coloured.keys("q");
    plain.keys("q");
    await until("both to end", () => coloured.exitStatus() !== null && plain.exitStatus() !== null);
  });

  it("fits a 60-column terminal, keeps the last sample at the end of the recording, and exits on a key", async () => {
    const pane = startPane("narrow", ["replay", RECORDING, "--speed", "20"], { columns: 60 });
    const end = await screenWith(pane, "end of recording");
    for (const line of end.split("\n")) expect([...line].length).toBeLessThanOrEqual(60);
    expect(end).toContain("sample #39");
    expect(end).toMatch(/^anon +\d+ +\d+ +[+-]?\d+/m);
    pane.keys("x");
    const status = await until(
      "the process to end",
      () => {
        const s = pane.exitStatus();
        return s === null ? null : { s };
      },
      pane,
    );
    expect(status.s).toBe(0);
  });

  it("prints lines, not a TUI, when stdout is a pipe", () => {
    const out = execFileSync("sh", ["-c", `"${process.execPath}" "${CLI}" replay "${RECORDING}" --speed 1000 | cat`], { encoding: "utf8" });
    const lines = out.trim().split("\n");
    expect(lines[0]).toMatch(/^# rssdrift: replay of lab-6\.12-4cpu\.jsonl/);
    expect(lines).toHaveLength(41);
    expect(out).not.toContain("\x1b[");
  });
});

/** the rows of the residue list on screen, by CPU id */
const listedCpus = (screen: string) =>
  screen
    .split("\n")
    .filter((line) => /^cpu +\d+ /.test(line))
    .map((line) => Number(line.split(/\s+/)[1]));

const exited = (pane: Pane) =>
  until(
    "the process to end",
    () => {
      const s = pane.exitStatus();
      return s === null ? null : { s };
    },
    pane,
  );

describe("on any terminal, for 4, 16 and 256 CPUs", { timeout: 6 * LIMIT_MS }, () => {
  const SIZES = [
    [60, 20],
    [80, 24],
    [120, 40],
    [200, 60],
  ] as const;
  const CPUS = [4, 16, 256] as const;

  it("shows the frame's first line, fits, pushes nothing into the scrollback, and q quits with 0", async () => {
    // one pane per size and CPU count, all in the one tmux server, paused at their first sample;
    // 4 CPUs is `watch --demo`, exactly as a new user would try it
    const argsFor = (cpus: (typeof CPUS)[number]) => (cpus === 4 ? ["watch", "--demo"] : ["replay", RECORDINGS[cpus]]);
    const panes = CPUS.flatMap((cpus) =>
      SIZES.map(([columns, rows]) => ({
        cpus,
        columns,
        rows,
        pane: startPane(`fit-${cpus}-${columns}x${rows}`, argsFor(cpus), { columns, rows }),
      })),
    );
    for (const { pane } of panes) {
      await screenWith(pane, /sample #\d/);
      pane.keys("Space");
    }
    for (const { cpus, columns, rows, pane } of panes) {
      const screen = await screenWith(pane, "PAUSED");
      const lines = screen.split("\n");
      const where = `${cpus} CPUs at ${columns}×${rows}:\n${screen}`;
      expect(lines[0], where).toMatch(new RegExp(`^rssdrift  replay of ${RECORDINGS[cpus].split("/").at(-1)!.replace(/\./g, "\\.")}`));
      for (const line of lines) expect([...line].length, where).toBeLessThanOrEqual(columns);
      expect(screen, where).toMatch(/^(Counters \(pages\)|RSS cached)/m);
      expect(screen, where).toMatch(/now [+-]?\d+ /);
      expect(pane.history(), where).toBe(0);
      if (cpus > 4 && rows >= 40) {
        expect(screen, where).toMatch(new RegExp(`Residue per CPU  \\d+ of ${cpus} hold pages · rows 1–`));
        expect(screen, where).toMatch(/· empty {2}░▒▓█/);
      }
    }
    for (const { pane } of panes) pane.keys("q");
    for (const { cpus, columns, rows, pane } of panes) expect((await exited(pane)).s, `${cpus} CPUs at ${columns}×${rows}`).toBe(0);
  });

  for (const cpus of [16, 256] as const) {
    it(`${cpus} CPUs: the list scrolls (j k, arrows, PgDn PgUp, End Home) and sorts (o), ids whole; a resize re-lays the frame`, async () => {
      const pane = startPane(`keys-${cpus}`, ["replay", RECORDINGS[cpus]], { columns: 120, rows: 40 });
      await screenWith(pane, /sample #\d/);
      pane.keys("Space");
      const first = await screenWith(pane, "PAUSED");
      const page = listedCpus(first).length;
      expect(page, first).toBeGreaterThanOrEqual(8);
      expect(first).toContain("by |residue|");
      const top = listedCpus(first)[0]!;
      const firstRow = (cpu: number) => until(`the list starting at cpu ${cpu}`, () => listedCpus(pane.screen())[0] === cpu, pane);

      pane.keys("j");
      await screenWith(pane, `rows 2–${page + 1} of ${cpus}`);
      pane.keys("k");
      await firstRow(top);
      pane.keys("Down");
      await screenWith(pane, `rows 2–${page + 1} of ${cpus}`);
      pane.keys("Up");
      await firstRow(top);
      pane.keys("PPage"); // already at the top: stays
      pane.keys("NPage");
      const paged = Math.min(page, cpus - page); // the first row after a page down, within the list
      await screenWith(pane, `rows ${paged + 1}–${paged + page} of ${cpus}`);
      pane.keys("PPage");
      await firstRow(top);
      pane.keys("End");
      const end = await until("the end of the list", () => listedCpus(pane.screen()).includes(cpus - 1) && pane.screen(), pane);
      expect(end).toContain(`rows ${cpus - page + 1}–${cpus} of ${cpus}`);
      pane.keys("Home");
      await firstRow(top);

      pane.keys("o");
      const byId = await screenWith(pane, "o sort:id");
      expect(listedCpus(byId)).toEqual(Array.from({ length: page }, (_, i) => i));
      pane.keys("End");
      const last = await until("the last CPUs by id", () => listedCpus(pane.screen()).at(-1) === cpus - 1 && pane.screen(), pane);
      // ids of 100 and above whole: the last rows read cpu 254, cpu 255 (or cpu 14, cpu 15)
      expect(listedCpus(last)).toEqual(Array.from({ length: page }, (_, i) => cpus - page + i));
      expect(last).toMatch(new RegExp(`^cpu ${cpus - 1} `, "m"));
      pane.keys("o");
      await screenWith(pane, "o sort:|res|");
      expect(pane.history()).toBe(0);

      // a bigger terminal: the frame re-lays at once, still from its first line
      pane.resize(200, 60);
      const wide = await until(
        "the 200×60 layout",
        () => {
          const screen = pane.screen();
          return screen.includes("r sample now") && listedCpus(screen).length > page && screen;
        },
        pane,
      );
      expect(wide.split("\n")[0]).toMatch(/^rssdrift {2}replay of /);
      expect(pane.history()).toBe(0);
      pane.keys("q");
      expect((await exited(pane)).s).toBe(0);
    });
  }
});
