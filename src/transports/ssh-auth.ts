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
  /** keys already decrypted, by path, so a reconnect does not ask again */
  decryptedKeys: Map<string, ParsedKey>;
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

/** Loads one identity file, asking for its passphrase when it is encrypted; undefined: skip it. */
async function loadIdentity(path: string, sources: AuthSources, record: AuthRecord): Promise<ParsedKey | undefined> {
  const cached = sources.decryptedKeys.get(path);
  if (cached) return cached;
  let text: Buffer;
  try {
    text = readFileSync(path);
  } catch (error) {
    record.problems.push(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    return undefined;
  }
  const first = (parsed: ParsedKey | ParsedKey[] | Error) => (Array.isArray(parsed) ? parsed[0] : parsed);
  let key = first(parseKey(text));
  for (let attempt = 1; key instanceof Error && isEncryptedKeyError(key) && attempt <= PASSPHRASE_ATTEMPTS; attempt++) {
    let passphrase: string;
    try {
      passphrase = await sources.prompt(attempt === 1 ? `Enter passphrase for key '${path}': ` : "Bad passphrase, try again: ");
    } catch (error) {
      if (error instanceof NoTerminalError) {
        record.problems.push(`${path} is encrypted and there is no terminal to ask for its passphrase (load it into ssh-agent with ssh-add)`);
        return undefined;
      }
      throw error;
    }
    if (passphrase === "") return undefined; // an empty answer skips the key, as in OpenSSH
    const decrypted = first(parseKey(text, passphrase));
    if (decrypted instanceof Error && !/bad passphrase|integrity check failed|decrypt/i.test(decrypted.message)) {
      key = decrypted;
      break;
    }
    key = decrypted instanceof Error ? new Error("no passphrase given (the last one was wrong)") : decrypted;
  }
  if (key === undefined || key instanceof Error) {
    record.problems.push(key && isEncryptedKeyError(key) ? `${path}: wrong passphrase` : `${path} is not a private key ssh2 can read`);
    return undefined;
  }
  if (!key.isPrivateKey()) {
    record.problems.push(`${path} is a public key; give the private key file`);
    return undefined;
  }
  sources.decryptedKeys.set(path, key);
  return key;
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
