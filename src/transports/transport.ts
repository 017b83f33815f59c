// Transports only move bytes: they start a command somewhere (this machine, or over SSH) and hand
// back its stdin, stdout, stderr and exit. They know nothing about samples.
import type { Readable, Writable } from "node:stream";

export interface CommandExit {
  code: number | null;
  signal: string | null;
}

export interface RunningCommand {
  /** SSH: true once `exited` resolved because the connection dropped (no exit status came) */
  readonly connectionLost?: boolean;
  stdin: Writable;
  stdout: Readable;
  stderr: Readable;
  /** resolves when the command has ended, however it ended */
  exited: Promise<CommandExit>;
  /** ends the command and anything it started on the target; safe to call twice */
  stop(): Promise<void>;
}

export interface Transport {
  /** where commands run, for messages: "this machine", "root@host:22" */
  readonly where: string;
  /** starts argv (never a shell string: each argument is passed or quoted as one word) */
  start(argv: readonly string[]): Promise<RunningCommand>;
  /**
   * After a command's `exited` resolved: true when the link dropped under it, so starting it
   * again (which reconnects) may work. Only transports that reconnect have it.
   */
  wasDropped?(command: RunningCommand): boolean;
  /** closes the connection, if any */
  close(): Promise<void>;
}
