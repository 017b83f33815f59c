// What the user can say about an SSH connection, on the command line or in ~/.ssh/config.
export interface SshOptions {
  /** an OpenSSH config file to use instead of ~/.ssh/config (-F) */
  configFile?: string;
  /** identity files given with -i, tried before those from the config */
  identityFiles: string[];
  /** a known_hosts file to use instead of ~/.ssh/known_hosts */
  knownHostsFile?: string;
  /** record an unknown host key instead of refusing it (never a changed one) */
  acceptNew: boolean;
  /** when sudo needs a password, ask for it once on this terminal (no echo) and feed it to sudo -S, instead of failing */
  sudoPrompt: boolean;
  /** Ctrl-C: a connection still being made is given up at once (exit 130) instead of waiting out its timeout */
  signal?: AbortSignal;
}

export const defaultSshOptions = (): SshOptions => ({ identityFiles: [], acceptNew: false, sudoPrompt: false });
