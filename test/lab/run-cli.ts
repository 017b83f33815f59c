// The real rssdrift CLI as a user runs it: `node dist/cli/rssdrift.js …` in a child process,
// stdout and stderr pipes (not a terminal), and its exit code. `npm run test:lab` builds dist/.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { outputOf } from "./lab-vm.js";

export const cliPath = fileURLToPath(new URL("../../dist/cli/rssdrift.js", import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function spawnCli(args: string[]): ChildProcessWithoutNullStreams {
  if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run \`npm run build\` (npm run test:lab does) first`);
  // RSSDRIFT_DEBUG would add stacks to error lines; the tests check the lines users see
  const { RSSDRIFT_DEBUG: _debug, ...env } = process.env;
  return spawn(process.execPath, [cliPath, ...args], { stdio: ["pipe", "pipe", "pipe"], env });
}

/** Runs the CLI to its end with stdin closed. */
export function runCli(args: string[]): Promise<CliRun> {
  return outputOf(spawnCli(args));
}

/** stderr's lines, without the empty one after the last newline */
export function stderrLines(run: Pick<CliRun, "stderr">): string[] {
  return run.stderr.split("\n").filter((line) => line !== "");
}
