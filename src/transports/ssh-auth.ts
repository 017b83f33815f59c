// Public-key authentication in OpenSSH's order: the ssh-agent's keys, then identity files
// (-i first, then the config's IdentityFile, else ~/.ssh/id_ed25519, id_ecdsa, id_rsa). An
// encrypted key asks for its passphrase only when it is reached, on the terminal, without echo.
import { readFileSync } from "node:fs";
import ssh2, { type AnyAuthMethod, type AuthHandlerMiddleware, type ParsedKey } from "ssh2";
import { EXIT, RssdriftError } from "../errors.js";
import { NoTerminalError, type SecretPrompt } from "./ssh-prompt.js";

export interface AuthSources {
  username: string;
  /** the ssh-agent socket to ask, when there is one */
  agentSocket?: string;
  identityFiles: readonly string[];
  prompt: SecretPrompt;
  /** identity files already loaded, so a reconnect or another host does not ask again */
  keyCache: KeyCache;
}

/** What authentication did, for the message when it fails. */
export interface AuthRecord {
  tried: string[];
  problems: string[];
  /** an error that ends the connection attempt (Ctrl-C at a passphrase prompt) */
  fatal?: RssdriftError;
}

const PASSPHRASE_ATTEMPTS = 3;

// ssh2 is CommonJS and Node's ESM loader sees only some of its names: `utils` is not one of them
const { parseKey } = ssh2.utils;

function isEncryptedKeyError(error: Error): boolean {
  return /no passphrase given/i.test(error.message);
}

/** An identity file read (and decrypted), or why it cannot be used. */
export type LoadedIdentity = { key: ParsedKey } | { problem: string };

/**
 * Identity files being loaded or loaded, by path. Connections that share one (fleet mode, a
 * reconnect) ask for a passphrase once, even when they reach the key at the same moment.
 */
export type KeyCache = Map<string, Promise<LoadedIdentity>>;

/** Reads one identity file, asking for its passphrase when it is encrypted. */
async function readIdentity(path: string, prompt: SecretPrompt): Promise<LoadedIdentity> {
  let text: Buffer;
  try {
    text = readFileSync(path);
  } catch (error) {
    return { problem: `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
  }
  const first = (parsed: ParsedKey | ParsedKey[] | Error) => (Array.isArray(parsed) ? parsed[0] : parsed);
  let key = first(parseKey(text));
  for (let attempt = 1; key instanceof Error && isEncryptedKeyError(key) && attempt <= PASSPHRASE_ATTEMPTS; attempt++) {
    let passphrase: string;
    try {
      passphrase = await prompt(attempt === 1 ? `Enter passphrase for key '${path}': ` : "Bad passphrase, try again: ");
    } catch (error) {
      if (error instanceof NoTerminalError) {
        return { problem: `${path} is encrypted and there is no terminal to ask for its passphrase (load it into ssh-agent with ssh-add)` };
      }
      throw error;
    }
    if (passphrase === "") return { problem: `${path} skipped (empty passphrase)` }; // as in OpenSSH
    const decrypted = first(parseKey(text, passphrase));
    if (decrypted instanceof Error && !/bad passphrase|integrity check failed|decrypt/i.test(decrypted.message)) {
      key = decrypted;
      break;
    }
    key = decrypted instanceof Error ? new Error("no passphrase given (the last one was wrong)") : decrypted;
  }
  if (key === undefined || key instanceof Error) {
    return { problem: key && isEncryptedKeyError(key) ? `${path}: wrong passphrase` : `${path} is not a private key ssh2 can read` };
  }
  if (!key.isPrivateKey()) return { problem: `${path} is a public key; give the private key file` };
  return { key };
}

/** The identity at path, from the cache or read now; undefined (and a recorded problem): skip it. */
async function loadIdentity(path: string, sources: AuthSources, record: AuthRecord): Promise<ParsedKey | undefined> {
  let loading = sources.keyCache.get(path);
  if (!loading) {
    loading = readIdentity(path, sources.prompt);
    sources.keyCache.set(path, loading);
    // only a usable key is kept: a later connection may have a terminal, or the file may be fixed
    const forget = () => sources.keyCache.delete(path);
    loading.then((loaded) => ("problem" in loaded ? forget() : undefined), forget);
  }
  const loaded = await loading;
  if ("problem" in loaded) {
    record.problems.push(loaded.problem);
    return undefined;
  }
  return loaded.key;
}

/** ssh2's authHandler: offers each source in turn until the server accepts one. */
export function authHandlerFor(sources: AuthSources, record: AuthRecord): AuthHandlerMiddleware {
  const queue: Array<() => Promise<AnyAuthMethod | undefined>> = [];
  if (sources.agentSocket !== undefined) {
    const agent = sources.agentSocket;
    queue.push(async () => {
      record.tried.push("ssh-agent");
      return { type: "agent", username: sources.username, agent };
    });
  }
  for (const path of sources.identityFiles) {
    queue.push(async () => {
      const key = await loadIdentity(path, sources, record);
      if (key === undefined) return undefined;
      record.tried.push(path);
      return { type: "publickey", username: sources.username, key };
    });
  }
  return (_methodsLeft, _partialSuccess, next) => {
    void (async () => {
      try {
        for (let step = queue.shift(); step; step = queue.shift()) {
          const method = await step();
          if (method) return next(method);
        }
      } catch (error) {
        record.fatal =
          error instanceof RssdriftError ? error : new RssdriftError(`authentication failed: ${(error as Error).message}`, EXIT.sshFailure);
      }
      // ssh2's type says a method name, but false is its documented "nothing left"
      next(false as unknown as AnyAuthMethod);
    })();
  };
}
