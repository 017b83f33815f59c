// Pause a test so that rssdrift can look at its memory: `await pauseForRssdrift("after mmap")`.
//
// No dependencies: copy this file next to your tests, or import it from scripts/test-side.
// Off unless RSSDRIFT_PAUSE=1 (or true/yes/on), so CI never waits. When on, it prints
//
//   rssdrift: pid 1234 paused at after mmap; run: rssdrift watch 1234 — press Enter to continue
//
// to stderr (and to the terminal, when the test runner captures stderr) and waits for Enter on
// the terminal (/dev/tty), or, when there is no terminal, for SIGUSR1 (`kill -USR1 1234`).
// SIGUSR1 resumes in both cases. Give the test a long timeout while pausing.
import { openSync, writeSync } from "node:fs";
import { ReadStream } from "node:tty";
import { isMainThread } from "node:worker_threads";

export const ENV_VAR = "RSSDRIFT_PAUSE";
const ON = new Set(["1", "true", "yes", "on"]);

/** True when RSSDRIFT_PAUSE asks for a pause. */
export function pauseEnabled(env = process.env) {
  return ON.has(
    String(env[ENV_VAR] ?? "")
      .trim()
      .toLowerCase(),
  );
}

function openTty() {
  try {
    return openSync("/dev/tty", "r+");
  } catch {
    return null; // ENXIO: no controlling terminal (CI, setsid, cron)
  }
}

function say(text, ttyFd) {
  process.stderr.write(text);
  // under a runner that captures stderr, say it on the terminal as well
  if (ttyFd !== null && !process.stderr.isTTY) writeSync(ttyFd, text);
}

/**
 * Prints this process's pid and waits, when RSSDRIFT_PAUSE=1.
 * @param {string} [label] where the test is, e.g. "after mmap"
 * @returns {Promise<boolean>} true if it paused
 */
export function pauseForRssdrift(label = "here") {
  if (!pauseEnabled()) return Promise.resolve(false);
  const pid = process.pid;
  const ttyFd = openTty();
  // Node delivers signals to process.on() only in the main thread. Listening for SIGUSR1 also
  // keeps Node from starting its inspector on that signal while we wait.
  const canSignal = isMainThread;
  if (ttyFd === null && !canSignal) {
    process.stderr.write(`rssdrift: pid ${pid} not paused at ${label}: no terminal, and a worker thread cannot catch SIGUSR1\n`);
    return Promise.resolve(false);
  }
  return new Promise((resolve) => {
    // a signal listener alone does not keep the event loop alive
    const keepAlive = setInterval(() => {}, 1 << 30);
    let input = null;
    const resume = () => {
      clearInterval(keepAlive);
      process.off("SIGUSR1", resume);
      if (input !== null) input.destroy(); // closes ttyFd
      resolve(true);
    };
    if (canSignal) process.on("SIGUSR1", resume); // before printing: a resume may follow the line at once
    if (ttyFd !== null) {
      input = new ReadStream(ttyFd);
      // a line, or a bare carriage return when a runner has put the terminal in raw mode
      input.on("data", (chunk) => /[\r\n]/.test(String(chunk)) && resume());
      input.on("end", resume);
      input.on("error", resume); // the terminal went away (EIO): nobody is left to press Enter
    }
    const how =
      ttyFd !== null
        ? `press Enter to continue${canSignal ? ` (or kill -USR1 ${pid})` : ""}`
        : `send SIGUSR1 to continue: kill -USR1 ${pid}`;
    say(`rssdrift: pid ${pid} paused at ${label}; run: rssdrift watch ${pid} — ${how}\n`, ttyFd);
  });
}
