// The test-side pause helpers (scripts/test-side), run as real processes the way a test would
// call them: off by default, and when RSSDRIFT_PAUSE=1 they print the pid line and wait for
// SIGUSR1 (no terminal: setsid) or for Enter on a real pseudo-terminal (util-linux `script`).
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const dir = fileURLToPath(new URL("../../../scripts/test-side/", import.meta.url));

/** Each helper, as a one-line program that pauses "after mmap" and then prints whether it paused. */
const helpers = {
  python: [
    "python3",
    "-c",
    `import sys; sys.path.insert(0, ${JSON.stringify(dir)})\n` +
      "from pause_for_rssdrift import pause_for_rssdrift\n" +
      "print('paused:', pause_for_rssdrift('after mmap'), flush=True)",
  ],
  node: [
    process.execPath,
    "--input-type=module",
    "-e",
    `import { pauseForRssdrift } from ${JSON.stringify(pathToFileURL(`${dir}pause-for-rssdrift.mjs`).href)};\n` +
      "console.log('paused:', String(await pauseForRssdrift('after mmap')));",
  ],
} as const;

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** resolves with the first stdout/stderr text matching `pattern` */
  waitFor: (pattern: RegExp) => Promise<string>;
  exited: Promise<number | null>;
}

/** children still running when a test ends (it failed half-way): killed, never left paused */
const running = new Set<ChildProcess>();
afterEach(() => {
  for (const child of running) {
    try {
      process.kill(-child.pid!, "SIGKILL"); // its own process group (detached), e.g. script and its child
    } catch {
      // already gone
    }
  }
  running.clear();
});

function run(argv: readonly string[], env: NodeJS.ProcessEnv): Run {
  // detached: a new session without a controlling terminal, as in CI
  const child = spawn(argv[0]!, argv.slice(1), { env, detached: true, stdio: ["pipe", "pipe", "pipe"] });
  running.add(child);
  let stdout = "";
  let stderr = "";
  const waiters: { pattern: RegExp; resolve: (text: string) => void }[] = [];
  const check = () => {
    for (const waiter of [...waiters]) {
      const match = waiter.pattern.exec(stdout + stderr);
      if (match) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(match[0]);
      }
    }
  };
  child.stdout!.on("data", (chunk) => {
    stdout += chunk;
    check();
  });
  child.stderr!.on("data", (chunk) => {
    stderr += chunk;
    check();
  });
  const exited = new Promise<number | null>((resolve) =>
    child.on("close", (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    waitFor: (pattern) =>
      new Promise((resolve) => {
        waiters.push({ pattern, resolve });
        check();
      }),
    exited,
  };
}

const envWith = (pause: string | undefined): NodeJS.ProcessEnv => {
  const env = { ...process.env };
  delete env.RSSDRIFT_PAUSE;
  if (pause !== undefined) env.RSSDRIFT_PAUSE = pause;
  return env;
};

const hasScript = spawnSync("script", ["--version"]).status === 0;

describe.each(Object.entries(helpers))("%s helper", (language, argv) => {
  const pausedWord = language === "python" ? "True" : "true";
  const notPausedWord = language === "python" ? "False" : "false";

  it.each([undefined, "0", ""])("does not pause when RSSDRIFT_PAUSE is %j", async (value) => {
    const child = run(argv, envWith(value));
    expect(await child.exited).toBe(0);
    expect(child.stdout().trim()).toBe(`paused: ${notPausedWord}`);
    expect(child.stderr()).not.toContain("rssdrift:");
  });

  it("prints its pid and waits for SIGUSR1 when there is no terminal", async () => {
    const child = run(argv, envWith("1"));
    const pid = child.child.pid!;
    const line = await child.waitFor(/rssdrift: pid .*\n/);
    expect(line).toBe(
      `rssdrift: pid ${pid} paused at after mmap; run: rssdrift watch ${pid} — send SIGUSR1 to continue: kill -USR1 ${pid}\n`,
    );
    expect(child.stdout()).toBe(""); // still paused: nothing after the pause has run
    process.kill(pid, "SIGUSR1");
    expect(await child.exited).toBe(0);
    expect(child.stdout().trim()).toBe(`paused: ${pausedWord}`);
  });

  it.skipIf(!hasScript)("waits for Enter on a real terminal", async () => {
    // `script` gives the program a pseudo-terminal as its controlling terminal and forwards our
    // stdin to it; the command string is fixed text with the argv words single-quoted
    const quoted = argv.map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(" ");
    const child = run(["script", "-qec", quoted, "/dev/null"], envWith("1"));
    await child.waitFor(/press Enter to continue \(or kill -USR1 \d+\)/);
    expect(child.stdout()).not.toContain("paused:");
    child.child.stdin!.write("\n");
    expect(await child.exited).toBe(0);
    expect(child.stdout()).toContain(`paused: ${pausedWord}`);
  });
});
