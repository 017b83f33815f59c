// Runs one short, fixed command on the target and keeps what it printed. A command that is not
// installed comes back as exit 127 on every transport (the local transport throws instead; a
// remote shell already answers 127), so checks can treat "missing" the same way everywhere.
import { RssdriftError } from "../errors.js";
import { runCommand } from "../transports/run-command.js";
import type { Transport } from "../transports/transport.js";

export interface ProbeResult {
  /** exit code; null when the command was killed by a signal */
  code: number | null;
  stdout: string;
  stderr: string;
}

export const COMMAND_NOT_FOUND = 127;

export async function probe(transport: Transport, argv: readonly string[]): Promise<ProbeResult> {
  try {
    const { stdout, stderr, exit } = await runCommand(transport, argv);
    return { code: exit.code, stdout, stderr };
  } catch (err) {
    if (err instanceof RssdriftError && err.code === "no-command") {
      return { code: COMMAND_NOT_FOUND, stdout: "", stderr: err.message };
    }
    throw err;
  }
}

/** The last non-empty line of a command's stderr: usually the one that says what went wrong. */
export function lastLine(text: string): string {
  return (
    text
      .split("\n")
      .map((line) => line.trim())
      .filter(Boolean)
      .at(-1) ?? ""
  );
}
