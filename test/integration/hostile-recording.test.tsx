// A doctored recording (hostile comm, release, drgn version, progress and error messages, file
// name) through the real replay source, into the live view (Ink, rendered for real), the real
// snapshot writer, and the built CLI in line mode: every screen and line shows escapes, and the
// machine-readable outputs keep the exact strings.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { render } from "ink-testing-library";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { analyse } from "../../src/analysis/analyse.js";
import type { AnalysedSample } from "../../src/analysis/types.js";
import { saveSnapshot } from "../../src/commands/watch.js";
import { EXIT, helperError } from "../../src/errors.js";
import type { ErrorLine } from "../../src/schema/helper-line.js";
import { openReplaySource, readRecording } from "../../src/sources/replay-source.js";
import { App } from "../../src/ui/App.js";
import type { ViewOutcome } from "../../src/ui/stream-types.js";
import { frameWith, until } from "../fixtures/frames.js";
import { HOSTILE, expectNoRawControls, writeHostileRecording } from "../fixtures/hostile-strings.js";
import { BUILT_CLI, runBuiltCli as runCli } from "../fixtures/built-cli.js";
import { pushedSource } from "../fixtures/pushed-source.js";

vi.setConfig({ testTimeout: 30_000 });

const dir = mkdtempSync(join(tmpdir(), "rssdrift-hostile-"));
const recording = writeHostileRecording(dir);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let unmount: (() => void) | null = null;
afterEach(() => {
  unmount?.();
  unmount = null;
});

describe("a hostile recording in the live view", () => {
  it("shows the comm, release, drgn version, file name and the error as escapes on every frame", async () => {
    const source = await openReplaySource(recording, 1000);
    const outcomes: ViewOutcome[] = [];
    const app = render(
      <App open={async () => source} analyse={analyse} saveSnapshot={async () => []} onDone={(o) => outcomes.push(o)} mode="replay" />,
    );
    unmount = app.unmount;
    const frame = await frameWith(app, "process exited");
    for (const [i, shown] of app.frames.entries()) expectNoRawControls(shown, `frame ${i}`, { allowSgr: true });
    expect(frame).toContain("replay of hostile\\x07.jsonl");
    expect(frame).toContain(`kernel ${HOSTILE.shownKernel}`);
    expect(frame).toContain("drgn 0.0.31\\x9b2J");
    expect(frame).toContain(HOSTILE.shownComm);
    // the status line wraps: compare it without the breaks
    expect(frame.replace(/\s+/g, " ")).toContain(
      `process exited (pid 689 (${HOSTILE.shownComm}) exited: no process\\r\\nrssdrift: all good`,
    );
    app.stdin.write("x");
    await until(() => outcomes.length > 0, "the app ending");
    // the error itself stays exact: the entry point makes its own printable line of it
    expect(outcomes[0]).toMatchObject({
      kind: "ended",
      end: { kind: "exited", error: { message: expect.stringContaining(HOSTILE.comm) } },
    });
  });

  it("saves a snapshot whose JSON keeps the exact strings and whose Markdown shows escapes", async () => {
    // the recording's lines, validated by the replay's own reader, pushed one by one so the
    // snapshot key lands while samples are on screen
    const { lines } = await readRecording(recording);
    const source = pushedSource(`replay of ${recording}`);
    const saved: string[][] = [];
    const app = render(
      <App
        open={async () => source}
        analyse={analyse}
        saveSnapshot={async (s: AnalysedSample, marks, history) => {
          const paths = await saveSnapshot(dir, "rssdrift replay x", s, marks, history);
          saved.push(paths);
          return paths;
        }}
        onDone={() => undefined}
        mode="replay"
      />,
    );
    unmount = app.unmount;
    for (const line of lines.filter((l) => l.type !== "error")) source.push(line);
    await frameWith(app, "sample #2");
    app.stdin.write("s");
    await until(() => saved.length > 0, "the snapshot");
    const jsonText = readFileSync(saved[0]![0]!, "utf8");
    expectNoRawControls(jsonText, "snapshot JSON");
    const json = JSON.parse(jsonText) as { hello: { kernel: string; target: { comm: string } } };
    expect(json.hello.target.comm).toBe(HOSTILE.comm);
    expect(json.hello.kernel).toBe(HOSTILE.kernel);
    const markdown = readFileSync(saved[0]![1]!, "utf8");
    expectNoRawControls(markdown, "snapshot Markdown");
    expect(markdown).toContain("\\\\e\\]0;PWNED");
    const error = lines.find((l): l is ErrorLine => l.type === "error")!;
    source.fail(helperError(error.code, error.message, error.hint));
    await frameWith(app, "process exited");
  });
});

describe("the built CLI on a hostile recording", () => {
  it("replays it as lines: escapes on stdout and stderr, one error line, exit 3", async () => {
    expect(existsSync(BUILT_CLI), `${BUILT_CLI} is missing: run npm run build`).toBe(true);
    const run = await runCli(["replay", recording, "--speed", "1000"]);
    expectNoRawControls(run.stdout, "stdout");
    expectNoRawControls(run.stderr, "stderr");
    expect(run.code).toBe(EXIT.targetGone);
    expect(run.stdout).toContain(`kernel ${HOSTILE.shownKernel}`);
    expect(run.stdout).toContain(`(${HOSTILE.shownComm})`);
    const stderr = run.stderr.trimEnd().split("\n");
    // the error as one line with its fix; the recording's progress lines are not replayed (they
    // happened when it was recorded, not now)
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toBe(
      `rssdrift: pid 689 (${HOSTILE.shownComm}) exited: no process\\r\\nrssdrift: all good \\x9b2J\\x07 (fix: \\e]0;hint\\x07)`,
    );
  });

  it("keeps the exact strings in --json", async () => {
    const run = await runCli(["replay", recording, "--speed", "1000", "--json"]);
    expectNoRawControls(run.stdout, "stdout");
    const first = JSON.parse(run.stdout.split("\n")[0]!) as AnalysedSample;
    expect(first.hello.target.comm).toBe(HOSTILE.comm);
    expect(first.hello.kernel).toBe(HOSTILE.kernel);
  });
});
