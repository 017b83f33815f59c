// Runs a short command to completion through any transport and collects its output.
import type { CommandExit, Transport } from "./transport.js";

export interface CommandResult {
  stdout: string;
  stderr: string;
  exit: CommandExit;
}

/** decoded once at the end, so a UTF-8 character split between two chunks stays whole */
async function collect(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString("utf8");
}

export async function runCommand(transport: Transport, argv: readonly string[], stdin = ""): Promise<CommandResult> {
  const command = await transport.start(argv);
  command.stdin.end(stdin);
  const [stdout, stderr, exit] = await Promise.all([collect(command.stdout), collect(command.stderr), command.exited]);
  return { stdout, stderr, exit };
}
