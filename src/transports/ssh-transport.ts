// The Transport over SSH: each start() is one exec channel on a connection made the way OpenSSH
// makes it (ssh-connect.ts). argv is quoted word by word for the remote shell, never joined raw.
import { homedir, userInfo } from "node:os";
import type { ClientChannel } from "ssh2";
import { EXIT, RssdriftError } from "../errors.js";
import type { KeyCache } from "./ssh-auth.js";
import { connectSsh, type ConnectContext, type SshConnection } from "./ssh-connect.js";
import type { SshOptions } from "./ssh-options.js";
import { NoTerminalError, terminalPrompt, type SecretPrompt } from "./ssh-prompt.js";
import { shellCommandLine } from "./ssh-quote.js";
import { isNonInteractiveSudo, sudoPromptArgv } from "./ssh-sudo.js";
import type { CommandExit, RunningCommand, Transport } from "./transport.js";

/** This machine's side of a connection; every field has a default, tests replace them. */
export interface SshEnvironment {
  /** SSH_AUTH_SOCK and the environment for `ssh -G` (default: process.env) */
  env?: NodeJS.ProcessEnv;
  /** for ~ in paths and the default identity files (default: os.homedir()) */
  home?: string;
  /** asks for passphrases and the sudo password (default: the terminal, without echo) */
  prompt?: SecretPrompt;
  /** the OpenSSH client asked with `ssh -G`; null: use the built-in config parser */
  sshBinary?: string | null;
  /** identity files loaded; share one cache between connections to ask each passphrase once */
  keyCache?: KeyCache;
}

/** How long stop() lets the command end by itself after stdin closes, then after TERM. */
const STOP_GRACE_MS = 1500;

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * ssh2's Channel.signal() does nothing once stdin is closed (it checks `writable`), yet closing
 * stdin first is our main guarantee, so TERM is sent through the channel's protocol directly.
 */
function signalAfterEof(channel: ClientChannel, name: string): void {
  const internals = channel as unknown as {
    outgoing?: { id: number; state: string };
    _client?: { _protocol?: { signal(id: number, name: string): void } };
  };
  const state = internals.outgoing?.state;
  if (state !== "open" && state !== "eof") return;
  try {
    internals._client?._protocol?.signal(internals.outgoing!.id, name);
  } catch {
    // the connection is already gone: nothing left to signal
  }
}

/** A command running in an exec channel. */
export class SshRunningCommand implements RunningCommand {
  readonly stdin: ClientChannel;
  readonly stdout: ClientChannel;
  readonly stderr: ClientChannel["stderr"];
  readonly exited: Promise<CommandExit>;
  #gotExit = false;
  #stopping: Promise<void> | undefined;
  #connectionLost = false;

  constructor(
    private readonly channel: ClientChannel,
    connection: SshConnection,
  ) {
    this.stdin = channel;
    this.stdout = channel;
    this.stderr = channel.stderr;
    let exit: CommandExit = { code: null, signal: null };
    channel.on("exit", (code: number | null, signal?: string) => {
      this.#gotExit = true;
      exit = { code: code ?? null, signal: signal ?? null };
    });
    // a write after the far side closed must not crash the process; the exit says what happened
    channel.on("error", () => undefined);
    this.exited = new Promise((resolve) => {
      channel.once("close", () => {
        this.#connectionLost = !this.#gotExit && connection.isClosed();
        resolve(exit);
      });
    });
  }

  /** true once exited has resolved because the connection dropped (no exit status ever came) */
  get connectionLost(): boolean {
    return this.#connectionLost;
  }

  /** Ends the remote command: stdin EOF (the helper exits on it), then TERM, then closes the channel. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      const ended = this.exited.then(() => true);
      this.channel.end();
      if (await Promise.race([ended, delay(STOP_GRACE_MS).then(() => false)])) return;
      signalAfterEof(this.channel, "TERM");
      if (await Promise.race([ended, delay(STOP_GRACE_MS).then(() => false)])) return;
      this.channel.close();
      await Promise.race([ended, delay(STOP_GRACE_MS)]);
    })();
    return this.#stopping;
  }
}

export class SshTransport implements Transport {
  readonly where: string;

  constructor(
    readonly connection: SshConnection,
    private readonly options: SshOptions,
    private readonly prompt: SecretPrompt,
    /** shared with the transports a reconnect makes, so --sudo-prompt asks once */
    private readonly sudoPasswordCache: { password?: Promise<string> } = {},
  ) {
    this.where = connection.where;
  }

  /** resolves when the connection is gone (dropped, or closed) */
  get closed(): Promise<void> {
    return this.connection.closed;
  }

  isConnected(): boolean {
    return !this.connection.isClosed();
  }

  async start(argv: readonly string[]): Promise<SshRunningCommand> {
    let words = argv;
    let password: string | undefined;
    if (this.options.sudoPrompt && isNonInteractiveSudo(argv)) {
      password = await this.sudoPassword();
      words = sudoPromptArgv(argv);
    }
    if (this.connection.isClosed()) throw this.lostError();
    const channel = await new Promise<ClientChannel>((resolve, reject) => {
      this.connection.client.exec(shellCommandLine(words), (error, stream) => (error ? reject(this.lostError(error)) : resolve(stream)));
    });
    const command = new SshRunningCommand(channel, this.connection);
    if (password !== undefined) channel.write(`${password}\n`);
    return command;
  }

  async close(): Promise<void> {
    await this.connection.close();
  }

  private lostError(cause?: Error): RssdriftError {
    const why = cause && !/No response from server|Not connected/i.test(cause.message) ? `: ${cause.message}` : "";
    return new RssdriftError(`the SSH connection to ${this.where} is closed${why}`, EXIT.sshFailure, undefined, "ssh-closed");
  }

  /** Asks once; a failed ask (no terminal, Ctrl-C) is not remembered. */
  private sudoPassword(): Promise<string> {
    this.sudoPasswordCache.password ??= this.prompt(`[sudo] password for ${this.where}: `).catch((error: unknown) => {
      this.sudoPasswordCache.password = undefined;
      if (error instanceof NoTerminalError) {
        throw new RssdriftError(
          `--sudo-prompt needs a terminal to ask for the sudo password on ${this.where}`,
          EXIT.missingPrerequisite,
          "run it from a terminal, or allow only the helper without a password (docs/sudo.md)",
          "sudo-password",
        );
      }
      throw error;
    });
    return this.sudoPasswordCache.password;
  }
}

/** The connection context for a target, from the options and this machine's environment. */
export function connectContext(options: SshOptions, notice: (line: string) => void, environment: SshEnvironment = {}): ConnectContext {
  const env = environment.env ?? process.env;
  const home = environment.home ?? homedir();
  return {
    options,
    configEnvironment: {
      home,
      localUser: env.USER ?? userInfo().username,
      env,
      ...(environment.sshBinary !== undefined ? { sshBinary: environment.sshBinary } : {}),
    },
    env,
    prompt: environment.prompt ?? terminalPrompt,
    notice,
    keyCache: environment.keyCache ?? new Map(),
  };
}

/** Connects to target ([user@]host[:port] or a ~/.ssh/config alias) and returns its Transport. */
export async function openSshTransport(
  target: string,
  options: SshOptions,
  notice: (line: string) => void,
  environment: SshEnvironment = {},
): Promise<SshTransport> {
  const context = connectContext(options, notice, environment);
  return new SshTransport(await connectSsh(target, context), options, context.prompt);
}
