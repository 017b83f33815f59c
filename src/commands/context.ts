// What a command runs with, so commands can be run from tests without a real terminal.
import type { OutputPolicy } from "../output/output-policy.js";

/** What the entry point has for every command: the process's streams, environment and Ctrl-C. */
export interface ProcessContext {
  stdin: NodeJS.ReadStream | NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  /** aborted on Ctrl-C / SIGTERM: commands stop their sources and return EXIT.interrupted */
  signal: AbortSignal;
}

/** What a command's run gets from the argv layer (command.ts): that, and the output policy decided for it. */
export interface CommandContext extends ProcessContext {
  output: OutputPolicy;
}
