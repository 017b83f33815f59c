// What a command gets from the entry point, so commands can be run from tests without a real terminal.
export interface CommandContext {
  stdin: NodeJS.ReadStream | NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  /** aborted on Ctrl-C / SIGTERM: commands stop their sources and return EXIT.interrupted */
  signal: AbortSignal;
}
