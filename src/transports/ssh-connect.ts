// One SSH connection as OpenSSH would make it: the host key checked against known_hosts before
// anything is sent, public-key authentication, and ProxyJump hops connected first with the next
// hop reached through a forwarded channel (forwardOut, like ssh -J).
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import { Client } from "ssh2";
import { EXIT, RssdriftError } from "../errors.js";
import {
  checkHostKey,
  fingerprintSha256,
  hostKeyNames,
  keyTypeLabel,
  keyTypeOf,
  knownKeyTypes,
  readKnownHosts,
  recordHostKey,
  type KnownHostEntry,
} from "./known-hosts.js";
import { authHandlerFor, type AuthRecord, type KeyCache } from "./ssh-auth.js";
import { resolveSshConfig, type SshConfigEnvironment, type SshHostConfig } from "./ssh-config.js";
import { connectError, type ConnectFailure } from "./ssh-errors.js";
import type { SshOptions } from "./ssh-options.js";
import { NoTerminalError, type SecretPrompt } from "./ssh-prompt.js";
import { parseSshTarget } from "./ssh-target.js";

/** Everything a connection needs besides the host: the user's options and this machine's state. */
export interface ConnectContext {
  options: SshOptions;
  configEnvironment: SshConfigEnvironment & { home: string };
  env: NodeJS.ProcessEnv;
  prompt: SecretPrompt;
  notice: (line: string) => void;
  /** identity files loaded, kept across reconnects (and hosts, in fleet mode): a passphrase is asked once */
  keyCache: KeyCache;
}

/** An open connection to the target, with the jump hosts it goes through. */
export interface SshConnection {
  client: Client;
  config: SshHostConfig;
  /** "user@host:port" */
  where: string;
  /** resolves when the connection to the target (or any hop before it) has closed */
  closed: Promise<void>;
  isClosed(): boolean;
  /** closes the target connection, then each jump host */
  close(): Promise<void>;
}

/** Host key algorithms ssh2 offers, in its default order. */
const HOST_KEY_ALGORITHMS = [
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "rsa-sha2-512",
  "rsa-sha2-256",
  "ssh-rsa",
] as const;

/** Puts the algorithms of key types on record first, as OpenSSH does, so a known host is not "unknown". */
export function preferredHostKeyAlgorithms(recordedTypes: readonly string[]): string[] {
  const recorded = (algorithm: string) =>
    recordedTypes.includes(algorithm) || (algorithm.startsWith("rsa-sha2-") && recordedTypes.includes("ssh-rsa"));
  return [...HOST_KEY_ALGORITHMS.filter(recorded), ...HOST_KEY_ALGORITHMS.filter((algorithm) => !recorded(algorithm))];
}

export function describeWhere(config: SshHostConfig): string {
  return config.alias === config.hostname
    ? `${config.user}@${config.hostname}:${config.port}`
    : `${config.user}@${config.alias} (${config.hostname}:${config.port})`;
}

const DEFAULT_IDENTITY_NAMES = ["id_ed25519", "id_ecdsa", "id_rsa"];

/** -i files, then the config's IdentityFile; OpenSSH's defaults only when neither names one. */
export function identityFilesFor(config: SshHostConfig, options: SshOptions, home: string): string[] {
  const named = [...options.identityFiles, ...config.identityFiles];
  const files =
    named.length > 0 ? named : DEFAULT_IDENTITY_NAMES.map((name) => join(home, ".ssh", name)).filter((path) => existsSync(path));
  return [...new Set(files)];
}

function agentSocketFor(config: SshHostConfig, env: NodeJS.ProcessEnv): string | undefined {
  if (config.identitiesOnly) return undefined; // only the named files: the agent may hold many keys
  const socket = config.identityAgent ?? env.SSH_AUTH_SOCK;
  return socket && socket.toLowerCase() !== "none" && existsSync(socket) ? socket : undefined;
}

/** Where a host's keys are looked up and recorded. */
interface HostKeyLookup {
  /** the names the host is looked up under; a new key is recorded under the first */
  names: string[];
  /** the user's files (--known-hosts, or the config's), then the system's */
  files: string[];
  /** the file a new key is recorded in */
  recordFile: string | undefined;
}

function hostKeyLookup(config: SshHostConfig, context: ConnectContext): HostKeyLookup {
  const userFiles = context.options.knownHostsFile !== undefined ? [context.options.knownHostsFile] : config.userKnownHostsFiles;
  return {
    names: hostKeyNames(config.hostname, config.port, config.hostKeyAlias),
    files: [...userFiles, ...config.globalKnownHostsFiles],
    recordFile: userFiles[0],
  };
}

const hostKeyError = (message: string, hint: string | undefined, code: string) => new RssdriftError(message, EXIT.hostKey, hint, code);

/**
 * Checks the offered host key; returns the error to refuse with, or undefined to go on. Stricter
 * than OpenSSH in one way: a changed or revoked key is refused even with StrictHostKeyChecking no
 * (OpenSSH would go on without password authentication); rssdrift starts a root helper there.
 */
function verifyHostKey(key: Buffer, lookup: HostKeyLookup, config: SshHostConfig, context: ConnectContext): RssdriftError | undefined {
  const name = lookup.names[0]!;
  const verdict = checkHostKey(readKnownHosts(lookup.files), lookup.names, key);
  const label = keyTypeLabel(keyTypeOf(key));
  const fingerprint = fingerprintSha256(key);
  const at = (entry: KnownHostEntry) => `${entry.file}:${entry.line}`;
  switch (verdict.status) {
    case "known":
      return undefined;
    case "revoked":
      return hostKeyError(
        `the ${label} host key of ${name} (${fingerprint}) is marked @revoked in ${at(verdict.entry)}; refusing to connect`,
        undefined,
        "host-key-revoked",
      );
    case "changed": {
      const recorded = verdict.entry;
      const recordedLabel = keyTypeLabel(keyTypeOf(recorded.key));
      const onRecord =
        keyTypeOf(recorded.key) === keyTypeOf(key)
          ? `but ${at(recorded)} has ${fingerprintSha256(recorded.key)}`
          : `but ${at(recorded)} has its ${recordedLabel} key ${fingerprintSha256(recorded.key)} on record, which the host would have offered had it still held it`;
      return hostKeyError(
        `WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED for ${name}: it offers ${label} key ${fingerprint}, ${onRecord}. ` +
          "Someone could be eavesdropping on you (man-in-the-middle), or the host key was just replaced",
        `if the change is expected, remove the old key with \`ssh-keygen -R '${name}' -f ${recorded.file}\` and connect again`,
        "host-key-changed",
      );
    }
    case "unknown": {
      if (verdict.certAuthority) {
        return hostKeyError(
          `${name} is to be vouched for by a host certificate (@cert-authority in ${at(verdict.certAuthority)}), which rssdrift cannot check; ` +
            `refusing its plain ${label} key ${fingerprint} rather than trusting it unverified`,
          `if that fingerprint is right (ssh-keygen -lf on the host's key), add the host's plain key to ${lookup.recordFile ?? "~/.ssh/known_hosts"}`,
          "host-key-certificate",
        );
      }
      const acceptNew = context.options.acceptNew || ["accept-new", "no"].includes(config.strictHostKeyChecking);
      if (acceptNew && lookup.recordFile !== undefined) {
        try {
          recordHostKey(lookup.recordFile, name, key, config.hashKnownHosts);
          context.notice(
            `permanently added '${name}' (${label} ${fingerprint}) to ${lookup.recordFile} (${config.hashKnownHosts ? "hashed" : "plain"} line)`,
          );
        } catch (error) {
          context.notice(`could not record the host key of ${name} in ${lookup.recordFile}: ${(error as Error).message}`);
        }
        return undefined;
      }
      return hostKeyError(
        `the authenticity of ${name} cannot be established: its ${label} key ${fingerprint} is not in known_hosts`,
        `if that fingerprint is right, rerun with --accept-new to record it in ${lookup.recordFile ?? "~/.ssh/known_hosts"}`,
        "host-key-unknown",
      );
    }
  }
}

/** BatchMode yes: a passphrase is never asked, as if there were no terminal */
const noPrompt: SecretPrompt = () => Promise.reject(new NoTerminalError());

const DEFAULT_CONNECT_TIMEOUT_SECONDS = 20;
/** Without ServerAliveInterval, still probe so a silently dead link is noticed (watch reconnects). */
const DEFAULT_KEEPALIVE_SECONDS = 10;

/** Connects to one host (over sock when it comes through a jump host) and authenticates. */
function connectOne(config: SshHostConfig, context: ConnectContext, sock: Duplex | undefined): Promise<Client> {
  const where = describeWhere(config);
  const lookup = hostKeyLookup(config, context);
  const recordedTypes = knownKeyTypes(readKnownHosts(lookup.files), lookup.names);
  const identityFiles = identityFilesFor(config, context.options, context.configEnvironment.home);
  const agentSocket = agentSocketFor(config, context.env);
  const record: AuthRecord = { tried: [], problems: [] };
  return new Promise((resolve, reject) => {
    const client = new Client();
    let hostKeyRefusal: RssdriftError | undefined;
    let settled = false;
    const signal = context.options.signal;
    const settle = () => {
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", interrupt);
    };
    const fail = (error: RssdriftError) => {
      if (settled) return;
      settle();
      client.removeAllListeners("ready");
      client.destroy();
      reject(error);
    };
    const interrupt = () => fail(new RssdriftError(`interrupted while connecting to ${where}`, EXIT.interrupted, undefined, "interrupted"));
    const timer = setTimeout(
      () => fail(connectError({ name: "Error", message: "timeout", level: "client-timeout" }, where)),
      (config.connectTimeoutSeconds ?? DEFAULT_CONNECT_TIMEOUT_SECONDS) * 1000,
    );
    signal?.addEventListener("abort", interrupt, { once: true });
    if (signal?.aborted) return interrupt();
    client.once("handshake", () => clearTimeout(timer)); // the rest (a passphrase prompt) may take the user's time
    client.on("error", (error: ConnectFailure) => {
      if (error.level === "agent") {
        record.problems.push(`ssh-agent: ${error.message}`);
        return;
      }
      if (hostKeyRefusal) return fail(hostKeyRefusal);
      if (record.fatal) return fail(record.fatal);
      const failure = connectError(error, where, record.tried);
      if (error.level === "client-authentication" && record.problems.length > 0) {
        return fail(new RssdriftError(`${failure.message}; ${record.problems.join("; ")}`, failure.exitCode, failure.hint, failure.code));
      }
      fail(failure);
    });
    client.on("close", () => {
      if (hostKeyRefusal) fail(hostKeyRefusal);
      else if (record.fatal) fail(record.fatal);
      else fail(connectError({ name: "Error", message: "the connection closed during the SSH handshake", code: "ECONNRESET" }, where));
    });
    client.once("ready", () => {
      settle();
      resolve(client);
    });
    const keepaliveSeconds = config.serverAliveIntervalSeconds > 0 ? config.serverAliveIntervalSeconds : DEFAULT_KEEPALIVE_SECONDS;
    client.connect({
      ...(sock ? { sock } : { host: config.hostname, port: config.port }),
      username: config.user,
      readyTimeout: 0, // our own timer, which stops at the handshake
      keepaliveInterval: keepaliveSeconds * 1000,
      keepaliveCountMax: config.serverAliveCountMax,
      algorithms: { serverHostKey: preferredHostKeyAlgorithms(recordedTypes) as never },
      hostVerifier: (key: Buffer) => {
        hostKeyRefusal = verifyHostKey(key, lookup, config, context);
        return hostKeyRefusal === undefined;
      },
      authHandler: authHandlerFor(
        {
          username: config.user,
          ...(agentSocket ? { agentSocket } : {}),
          identityFiles,
          prompt: config.batchMode ? noPrompt : context.prompt,
          keyCache: context.keyCache,
        },
        record,
      ),
    });
  });
}

/** Opens a forwarded channel from a jump host to the next host. */
function forwardThrough(jump: Client, jumpWhere: string, config: SshHostConfig): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    jump.forwardOut("127.0.0.1", 0, config.hostname, config.port, (error, stream) => {
      if (error) {
        reject(
          new RssdriftError(
            `jump host ${jumpWhere} could not reach ${config.hostname}:${config.port}: ${error.message.replace(/^\(SSH\) /, "")}`,
            EXIT.sshFailure,
            undefined,
            "ssh-jump",
          ),
        );
      } else {
        resolve(stream);
      }
    });
  });
}

const MAX_JUMP_DEPTH = 8;

/** How long close() waits for the server to acknowledge the goodbye before dropping the socket. */
const CLOSE_GRACE_MS = 1000;

/**
 * Client.end() says goodbye and half-closes the socket, after which Client.destroy() is a no-op;
 * a peer that never answers (a dead link) would keep the socket, and this process, alive.
 */
function dropSocket(client: Client): void {
  (client as unknown as { _sock?: { destroy(): void } })._sock?.destroy();
}

/** Resolves a host (as typed, or a ProxyJump hop) through the SSH config. */
export function resolveHost(text: string, context: ConnectContext): SshHostConfig {
  const target = parseSshTarget(text);
  const config = resolveSshConfig(target, context.options.configFile, context.configEnvironment);
  if (config.proxyCommand !== undefined) {
    throw new RssdriftError(
      `the SSH config for ${target.host} uses ProxyCommand, which rssdrift does not run`,
      EXIT.badInput,
      "use ProxyJump instead (ssh -J), which rssdrift follows",
      "ssh-config",
    );
  }
  return config;
}

/** Connects to config's host, first through its ProxyJump hops; returns every client, target last. */
async function connectChain(config: SshHostConfig, context: ConnectContext, depth: number): Promise<Client[]> {
  if (depth > MAX_JUMP_DEPTH) {
    throw new RssdriftError(
      `ProxyJump goes more than ${MAX_JUMP_DEPTH} hops deep (a loop in ~/.ssh/config?)`,
      EXIT.badInput,
      undefined,
      "ssh-config",
    );
  }
  if (config.proxyJump.length === 0) return [await connectOne(config, context, undefined)];
  const hops = config.proxyJump;
  const last = resolveHost(hops[hops.length - 1]!, context);
  // `ProxyJump a,b`: b is reached through a, whatever b's own config says (like ssh -J a,b)
  const lastHop = hops.length > 1 ? { ...last, proxyJump: hops.slice(0, -1) } : last;
  const jumps = await connectChain(lastHop, context, depth + 1);
  try {
    const sock = await forwardThrough(jumps[jumps.length - 1]!, describeWhere(lastHop), config);
    return [...jumps, await connectOne(config, context, sock)];
  } catch (error) {
    for (const jump of jumps.reverse()) jump.end();
    throw error;
  }
}

export async function connectSsh(targetText: string, context: ConnectContext): Promise<SshConnection> {
  const config = resolveHost(targetText, context);
  const clients = await connectChain(config, context, 0);
  const client = clients[clients.length - 1]!;
  let closedNow = false;
  const closed = new Promise<void>((resolve) => {
    const onClose = () => {
      closedNow = true;
      resolve();
    };
    for (const hop of clients) hop.once("close", onClose);
  });
  // errors after the handshake (a reset link) end in "close", which is what callers watch
  for (const hop of clients) hop.on("error", () => undefined);
  return {
    client,
    config,
    where: describeWhere(config),
    closed,
    isClosed: () => closedNow,
    async close() {
      for (const hop of [...clients].reverse()) hop.end();
      const timer = setTimeout(() => clients.forEach(dropSocket), CLOSE_GRACE_MS);
      await closed;
      clearTimeout(timer);
      clients.forEach(dropSocket); // the jump hosts' sockets, once the target's has closed
    },
  };
}
