// The built CLI in a real child process, as a user meets its SSH errors: Ctrl-C (SIGINT, or the
// key in watch's live view) while a connection is being made, a directory given as --known-hosts,
// malformed --host values. Each ends in one line on stderr and its documented exit code, never a
// stack trace. `npm test` builds dist/.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../../../src/errors.js";
import { removeDir, tempDir, writeSshConfig } from "./ssh-test-server.js";

const CLI = fileURLToPath(new URL("../../../dist/cli/rssdrift.js", import.meta.url));

let dir: string;
const children: ChildProcess[] = [];

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (npm test does) first`);
  dir = tempDir("cli-ssh-errors");
  mkdirSync(join(dir, ".ssh"));
});
afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL"); // a failed test's leftover
  removeDir(dir);
});

/**
 * Starts the CLI with a HOME of its own (no user's ~/.ssh is read or written) and only PATH from
 * this process: nothing another test file left in a shared worker's environment (an agent socket,
 * a timeout) reaches it.
 */
function startCli(args: string[]) {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { PATH: process.env.PATH, HOME: dir } });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const ended = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once("close", (code) => resolve({ code, stdout, stderr })),
  );
  return { child, ended };
}

const lines = (text: string) => text.split("\n").filter((line) => line !== "");

describe("Ctrl-C while an SSH connection is being made", () => {
  let blackhole: Server;
  const accepted: Socket[] = [];

  beforeAll(async () => {
    // accepts and never says a word: the SSH handshake waits for a version line that never comes
    // (read and dropped, so that the client's FIN is seen and "close" comes when it goes)
    blackhole = createServer((socket) => accepted.push(socket.resume()));
    await new Promise<void>((resolve) => blackhole.listen(0, "127.0.0.1", resolve));
  });
  afterAll(async () => {
    for (const socket of accepted) socket.destroy();
    await new Promise<void>((resolve) => blackhole.close(() => resolve()));
  });

  // ConnectTimeout 3600: were SIGINT ignored, the run would outlast the test's timeout by far
  it("ends at once with exit 130 and one line, closing the connection", { timeout: 30_000 }, async () => {
    const port = (blackhole.address() as { port: number }).port;
    const config = writeSshConfig(join(dir, "config-blackhole"), {
      blackhole: { HostName: "127.0.0.1", Port: port, User: "tester", ConnectTimeout: 3600 },
    });
    const run = startCli(["1", "--host", "blackhole", "-F", config, "--known-hosts", join(dir, "known_hosts")]);
    while (accepted.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const socketClosed = new Promise((resolve) => accepted[0]!.once("close", resolve));
    run.child.kill("SIGINT");
    const { code, stdout, stderr } = await run.ended;
    expect(code).toBe(EXIT.interrupted);
    expect(lines(stderr)).toEqual(["rssdrift: interrupted"]);
    expect(stdout).toBe("");
    await socketClosed;
  });

  it("in watch's live view, the Ctrl-C key (no SIGINT in raw mode) ends it at once with exit 130", { timeout: 30_000 }, async () => {
    const port = (blackhole.address() as { port: number }).port;
    const config = writeSshConfig(join(dir, "config-blackhole-tui"), {
      blackhole: { HostName: "127.0.0.1", Port: port, User: "tester", ConnectTimeout: 3600 },
    });
    const before = accepted.length;
    // a private tmux server; a sh wrapper writes node's exit status to a file
    const tmux = (...args: string[]) => execFileSync("tmux", ["-L", `rssdrift-ssh-${process.pid}`, ...args], { encoding: "utf8" });
    const statusFile = join(dir, "watch-status");
    const wrapper = 'status_file=$1; shift; env -u CI "$@"; echo $? > "$status_file"';
    const cli = [process.execPath, CLI, "watch", "1", "--host", "blackhole", "-F", config, "--known-hosts", join(dir, "known_hosts")];
    tmux(
      "new-session",
      "-d",
      "-s",
      "watch",
      "-x",
      "100",
      "-y",
      "30",
      "sh",
      "-c",
      wrapper,
      "sh",
      statusFile,
      "env",
      `HOME=${dir}`,
      "TERM=xterm-256color",
      ...cli,
    );
    try {
      while (accepted.length === before || !tmux("capture-pane", "-p", "-t", "watch").includes("q quits"))
        await new Promise((resolve) => setTimeout(resolve, 50));
      tmux("send-keys", "-t", "watch", "C-c");
      while (!existsSync(statusFile) || readFileSync(statusFile, "utf8").trim() === "")
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(Number(readFileSync(statusFile, "utf8"))).toBe(EXIT.interrupted);
    } finally {
      try {
        tmux("kill-server");
      } catch {
        // the session ended with its command, and the server with it
      }
    }
  });
});

describe("bad SSH input", () => {
  it("refuses a directory as --known-hosts with one line and exit 2", async () => {
    const { code, stderr } = await startCli(["1", "--host", "127.0.0.1:1", "--known-hosts", dir]).ended;
    expect(code).toBe(EXIT.badInput);
    expect(lines(stderr)).toEqual([
      `rssdrift: the known_hosts file ${dir} is a directory, not a file (fix: point --known-hosts (or UserKnownHostsFile) at a file)`,
    ]);
  });

  it.each([
    ["[::1", "report"],
    ["a:1:2", "report"],
    ["db1\n\u001b]0;PWNED\u0007", "report"],
    ["[::1", "watch"],
    ["a:1:2", "doctor"],
    ["db1\r\u001b[2J", "fleet"],
  ])("refuses --host %j (%s) with one escaped line and exit 2, before any lookup", async (host, command) => {
    const args = {
      report: ["1", "--host", host],
      watch: ["watch", "1", "--host", host],
      doctor: ["doctor", "--host", host],
      fleet: ["1", "--host", host, "--host", "db2"],
    }[command]!;
    const { code, stdout, stderr } = await startCli(args).ended;
    expect(code).toBe(EXIT.badInput);
    expect(stdout).toBe("");
    expect(lines(stderr)).toHaveLength(1);
    expect(stderr).toMatch(/^rssdrift: bad SSH target "/);
    expect(stderr.slice(0, -1)).not.toMatch(/\p{Cc}/u); // no ESC, BEL, CR or newline but the last
  });
});
