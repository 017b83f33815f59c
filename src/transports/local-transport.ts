// Runs commands on this machine as child processes (argv only, never a shell string).
import { spawn } from "node:child_process";
import { once } from "node:events";
import { EXIT, RssdriftError } from "../errors.js";
import type { CommandExit, RunningCommand, Transport } from "./transport.js";

/** How long a stopped command may take to go after its stdin closes, before SIGTERM, then SIGKILL. */
const GRACE_MS = 1500;

export function localTransport(): Transport {
  return {
    where: "this machine",
    async start(argv) {
      const [file, ...args] = argv;
      if (file === undefined) throw new Error("localTransport.start: empty argv");
      const child = spawn(file, args, { stdio: ["pipe", "pipe", "pipe"] });
      // events.once rejects on "error", so a failed spawn settles this with the error itself
      const outcome = await once(child, "spawn").then(
        () => undefined,
        (err: NodeJS.ErrnoException) => err,
      );
      if (outcome !== undefined) {
        throw new RssdriftError(
          outcome.code === "ENOENT" ? `${file} is not installed on this machine` : `cannot run ${file} on this machine: ${outcome.message}`,
          EXIT.missingPrerequisite,
          undefined,
          "no-command",
        );
      }
      // a helper that already exited must not crash us with EPIPE when we write to it
      child.stdin.on("error", () => {});
      const exited = new Promise<CommandExit>((resolve) => child.on("close", (code, signal) => resolve({ code, signal })));
      let stopping: Promise<void> | undefined;
      const command: RunningCommand = {
        stdin: child.stdin,
        stdout: child.stdout,
        stderr: child.stderr,
        exited,
        stop() {
          stopping ??= (async () => {
            child.stdin.end();
            if (await settlesWithin(exited, GRACE_MS)) return;
            child.kill("SIGTERM");
            if (await settlesWithin(exited, GRACE_MS)) return;
            child.kill("SIGKILL");
            await exited;
          })();
          return stopping;
        },
      };
      return command;
    },
    async close() {},
  };
}

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
