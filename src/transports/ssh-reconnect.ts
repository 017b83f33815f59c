// `watch` over SSH outlives a dropped link: a Transport that notices its connection is gone and
// makes a new one, waiting 0.5 s, 1 s, 2 s … up to 8 s between attempts. Passphrases and the
// sudo password are asked once and reused. Host-key and authentication failures are not retried.
import { EXIT, RssdriftError } from "../errors.js";
import { connectSsh, type ConnectContext, type SshConnection } from "./ssh-connect.js";
import type { SshOptions } from "./ssh-options.js";
import { connectContext, SshRunningCommand, SshTransport, type SshEnvironment } from "./ssh-transport.js";
import type { RunningCommand, Transport } from "./transport.js";

export interface ReconnectPolicy {
  firstDelayMs: number;
  maxDelayMs: number;
  /** give up after this many failed attempts in a row (default: never) */
  maxAttempts?: number;
}

export const DEFAULT_RECONNECT_POLICY: ReconnectPolicy = { firstDelayMs: 500, maxDelayMs: 8000 };

/** The wait before attempt n (1-based): firstDelayMs doubling each time, capped at maxDelayMs. */
export function reconnectDelayMs(attempt: number, policy: ReconnectPolicy = DEFAULT_RECONNECT_POLICY): number {
  return Math.min(policy.firstDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
}

/** Errors a new attempt cannot fix: a host key problem, refused credentials, a bad config. */
function isPermanent(error: unknown): boolean {
  if (!(error instanceof RssdriftError)) return true;
  return (
    error.exitCode === EXIT.hostKey || error.exitCode === EXIT.badInput || error.code === "ssh-auth" || error.exitCode === EXIT.interrupted
  );
}

export class ReconnectingSshTransport implements Transport {
  readonly #sudoPasswordCache: { password?: Promise<string> } = {};
  readonly #closing = new AbortController();
  #current: SshTransport;
  #reconnecting: Promise<void> | undefined;

  private constructor(
    private readonly target: string,
    private readonly options: SshOptions,
    private readonly context: ConnectContext,
    private readonly policy: ReconnectPolicy,
    first: SshConnection,
  ) {
    this.#current = new SshTransport(first, options, context.prompt, this.#sudoPasswordCache);
  }

  /** Connects once (failing as openSshTransport does); later drops are reconnected. */
  static async open(
    target: string,
    options: SshOptions,
    notice: (line: string) => void,
    environment: SshEnvironment = {},
    policy: ReconnectPolicy = DEFAULT_RECONNECT_POLICY,
  ): Promise<ReconnectingSshTransport> {
    const context = connectContext(options, notice, environment);
    return new ReconnectingSshTransport(target, options, context, policy, await connectSsh(target, context));
  }

  get where(): string {
    return this.#current.where;
  }

  /** Starts argv on the current connection; when it has dropped, reconnects first. */
  async start(argv: readonly string[]): Promise<SshRunningCommand> {
    if (!this.#current.isConnected()) await this.reconnect();
    return this.#current.start(argv);
  }

  /** After a command's `exited` resolved: true when the link dropped under it (start it again). */
  wasDropped(command: RunningCommand): boolean {
    return command instanceof SshRunningCommand && command.connectionLost && !this.#closing.signal.aborted;
  }

  /** Makes a new connection, with the backoff; one attempt at a time however many callers ask. */
  reconnect(): Promise<void> {
    this.#reconnecting ??= this.#reconnectLoop().finally(() => (this.#reconnecting = undefined));
    return this.#reconnecting;
  }

  async close(): Promise<void> {
    this.#closing.abort();
    await this.#current.close();
  }

  async #reconnectLoop(): Promise<void> {
    const where = this.where;
    await this.#current.close().catch(() => undefined);
    for (let attempt = 1; ; attempt++) {
      await this.#wait(reconnectDelayMs(attempt, this.policy));
      this.context.notice(`reconnecting to ${where} (attempt ${attempt})…`);
      try {
        const connection = await connectSsh(this.target, this.context);
        if (this.#closing.signal.aborted) {
          await connection.close();
          throw this.#closedError();
        }
        this.#current = new SshTransport(connection, this.options, this.context.prompt, this.#sudoPasswordCache);
        this.context.notice(`reconnected to ${where}`);
        return;
      } catch (error) {
        if (isPermanent(error) || (this.policy.maxAttempts !== undefined && attempt >= this.policy.maxAttempts)) throw error;
        if (error instanceof RssdriftError) this.context.notice(`  ${error.message}`);
      }
    }
  }

  #wait(ms: number): Promise<void> {
    const signal = this.#closing.signal;
    if (signal.aborted) return Promise.reject(this.#closedError());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(this.#closedError());
      };
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  #closedError(): RssdriftError {
    return new RssdriftError(`stopped reconnecting to ${this.where}: the transport was closed`, EXIT.interrupted, undefined, "interrupted");
  }
}
