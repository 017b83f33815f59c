// Runs a short command to completion through any transport and collects its output.
import type { CommandExit, Transport } from "./transport.js";

export interface CommandResult {
  stdout: string;
  stderr: string;
  exit: CommandExit;
}

async function collect(stream: NodeJS.ReadableStream): Promise<string> {
  let text = "";
  for await (const chunk of stream) text += chunk.toString();
  return text;
}

export async function runCommand(transport: Transport, argv: readonly string[], stdin = ""): Promise<CommandResult> {
  const command = await transport.start(argv);
  command.stdin.end(stdin);
  const [stdout, stderr, exit] = await Promise.all([collect(command.stdout), collect(command.stderr), command.exited]);
  return { stdout, stderr, exit };
}
