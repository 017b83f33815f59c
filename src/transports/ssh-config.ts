// What ~/.ssh/config says about a host. OpenSSH itself is asked when it is installed
// (`ssh -G`, which applies every rule exactly as ssh would); otherwise a small parser of the
// config files applies the common subset: Host and Match host/user blocks with wildcards and
// negation, Include, and first-value-wins like readconf.c.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { homedir, userInfo } from "node:os";
import { basename, dirname, isAbsolute, join } from "node:path";
import { EXIT, RssdriftError } from "../errors.js";
import type { SshTarget } from "./ssh-target.js";

export interface SshHostConfig {
  /** the name as typed (maybe an alias) */
  alias: string;
  /** where to connect (HostName) */
  hostname: string;
  port: number;
  user: string;
  /** IdentityFile entries the config names (not OpenSSH's built-in defaults), expanded */
  identityFiles: string[];
  identitiesOnly: boolean;
  /** IdentityAgent: a socket path, "none", or undefined to use $SSH_AUTH_SOCK */
  identityAgent?: string;
  /** ProxyJump hops in order ([user@]host[:port]); empty for none */
  proxyJump: string[];
  /** set when the config uses ProxyCommand, which rssdrift does not run */
  proxyCommand?: string;
  userKnownHostsFiles: string[];
  globalKnownHostsFiles: string[];
  hashKnownHosts: boolean;
  /** yes | ask | accept-new | no (OpenSSH's true/false spelled yes/no) */
  strictHostKeyChecking: string;
  /** HostKeyAlias: the name to look up in known_hosts instead of the host name */
  hostKeyAlias?: string;
  connectTimeoutSeconds?: number;
  serverAliveIntervalSeconds: number;
  serverAliveCountMax: number;
  /** BatchMode: never ask for a passphrase */
  batchMode: boolean;
  /** how this was worked out, for messages */
  source: "ssh -G" | "config parser";
}

export interface SshConfigEnvironment {
  /** for ~ and %d (default: os.homedir()) */
  home?: string;
  /** the local user, the default remote user (default: os.userInfo()) */
  localUser?: string;
  /** the ssh binary to ask with -G; null forces the built-in parser (default: "ssh" on PATH) */
  sshBinary?: string | null;
  env?: NodeJS.ProcessEnv;
}

/** Identity files OpenSSH tries when none is configured; ssh -G lists them like configured ones. */
const OPENSSH_DEFAULT_IDENTITY_NAMES = new Set(
  ["id_rsa", "id_ecdsa", "id_ecdsa_sk", "id_ed25519", "id_ed25519_sk", "id_xmss", "id_dsa"].map((name) => `~/.ssh/${name}`),
);

interface TokenContext {
  home: string;
  localUser: string;
  alias: string;
  hostname: string;
  port: number;
  user: string;
}

/** ~ and the %-tokens OpenSSH expands in file names (%d %h %p %r %u %n %l %%). */
export function expandPath(path: string, context: TokenContext): string {
  let expanded = path.replace(/%([%dhprunl])/g, (_match, token: string) => {
    switch (token) {
      case "%":
        return "%";
      case "d":
        return context.home;
      case "h":
        return context.hostname;
      case "p":
        return String(context.port);
      case "r":
        return context.user;
      case "u":
        return context.localUser;
      case "n":
        return context.alias;
      default:
        return context.alias; // %l: the local host name is not known here; OpenSSH uses it rarely
    }
  });
  if (expanded === "~") expanded = context.home;
  else if (expanded.startsWith("~/")) expanded = join(context.home, expanded.slice(2));
  return expanded;
}

/** Splits a config line's arguments, honouring double quotes. */
function splitArguments(text: string): string[] {
  const words: string[] = [];
  const pattern = /"([^"]*)"|(\S+)/g;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) words.push(match[1] ?? match[2]!);
  return words;
}

/** `ssh -G` output: one "keyword value" per line, keywords lower-case, repeated for lists. */
export function parseSshGOutput(text: string): Map<string, string[]> {
  const values = new Map<string, string[]>();
  for (const line of text.split("\n")) {
    const match = /^(\S+)\s+(.*)$/.exec(line.trim());
    if (!match) continue;
    const keyword = match[1]!.toLowerCase();
    values.set(keyword, [...(values.get(keyword) ?? []), match[2]!]);
  }
  return values;
}

function yesNo(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  return ["yes", "true"].includes(value.toLowerCase());
}

function strictness(value: string | undefined): string {
  const lower = (value ?? "ask").toLowerCase();
  if (lower === "true") return "yes";
  if (lower === "false" || lower === "off") return "no";
  return lower;
}

function seconds(value: string | undefined): number | undefined {
  if (value === undefined || value.toLowerCase() === "none") return undefined;
  const number = Number(value);
  return Number.isFinite(number) && number > 0 ? number : undefined;
}

function proxyJumpHops(value: string | undefined): string[] {
  if (value === undefined || value.toLowerCase() === "none") return [];
  return value
    .split(",")
    .map((hop) => hop.trim().replace(/^ssh:\/\//, ""))
    .filter((hop) => hop !== "");
}

/** Turns the effective keyword values (from ssh -G or the parser) into an SshHostConfig. */
function hostConfigFrom(
  first: (keyword: string) => string | undefined,
  all: (keyword: string) => string[],
  alias: string,
  environment: Required<Pick<SshConfigEnvironment, "home" | "localUser">>,
  source: SshHostConfig["source"],
): SshHostConfig {
  const base = {
    home: environment.home,
    localUser: environment.localUser,
    alias,
    hostname: alias,
    port: 22,
    user: environment.localUser,
  };
  const hostname = expandPath(first("hostname") ?? alias, { ...base, hostname: alias });
  const port = Number(first("port") ?? 22);
  const user = first("user") ?? environment.localUser;
  const context: TokenContext = { ...base, hostname, port, user };
  const identityLines = all("identityfile");
  const configured = source === "ssh -G" && identityLines.every((path) => OPENSSH_DEFAULT_IDENTITY_NAMES.has(path)) ? [] : identityLines;
  const files = (keyword: string, fallback: string[]) => {
    const lines = all(keyword);
    const words = lines.length > 0 ? splitArguments(lines[0]!) : fallback;
    return words.filter((word) => word.toLowerCase() !== "none").map((word) => expandPath(word, context));
  };
  const identityAgent = first("identityagent");
  const proxyCommand = first("proxycommand");
  const hostKeyAlias = first("hostkeyalias");
  const connectTimeoutSeconds = seconds(first("connecttimeout"));
  return {
    alias,
    hostname,
    port,
    user,
    identityFiles: configured.filter((path) => path.toLowerCase() !== "none").map((path) => expandPath(path, context)),
    identitiesOnly: yesNo(first("identitiesonly"), false),
    ...(identityAgent !== undefined
      ? { identityAgent: identityAgent.toUpperCase() === "SSH_AUTH_SOCK" ? undefined : expandPath(identityAgent, context) }
      : {}),
    proxyJump: proxyJumpHops(first("proxyjump")),
    ...(proxyCommand !== undefined && proxyCommand.toLowerCase() !== "none" ? { proxyCommand } : {}),
    userKnownHostsFiles: files("userknownhostsfile", ["~/.ssh/known_hosts", "~/.ssh/known_hosts2"]),
    globalKnownHostsFiles: files("globalknownhostsfile", ["/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2"]),
    hashKnownHosts: yesNo(first("hashknownhosts"), false),
    strictHostKeyChecking: strictness(first("stricthostkeychecking")),
    ...(hostKeyAlias !== undefined && hostKeyAlias.toLowerCase() !== "none" ? { hostKeyAlias } : {}),
    ...(connectTimeoutSeconds !== undefined ? { connectTimeoutSeconds } : {}),
    serverAliveIntervalSeconds: seconds(first("serveraliveinterval")) ?? 0,
    serverAliveCountMax: Number(first("serveralivecountmax") ?? 3),
    batchMode: yesNo(first("batchmode"), false),
    source,
  };
}

/** The SshHostConfig that `ssh -G` output describes. */
export function hostConfigFromSshG(text: string, alias: string, environment: SshConfigEnvironment = {}): SshHostConfig {
  const values = parseSshGOutput(text);
  return hostConfigFrom(
    (keyword) => values.get(keyword)?.[0],
    (keyword) => values.get(keyword) ?? [],
    alias,
    { home: environment.home ?? homedir(), localUser: environment.localUser ?? userInfo().username },
    "ssh -G",
  );
}

// ---- the built-in parser, for machines without OpenSSH ----

interface Directive {
  keyword: string;
  args: string[];
  file: string;
  line: number;
}

export function parseSshConfigText(text: string, file: string): Directive[] {
  const directives: Directive[] = [];
  text.split("\n").forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const match = /^([A-Za-z]+)\s*(?:=\s*|\s+)(.*)$/.exec(line) ?? /^([A-Za-z]+)$/.exec(line);
    if (!match) return;
    directives.push({ keyword: match[1]!.toLowerCase(), args: splitArguments(match[2] ?? ""), file, line: index + 1 });
  });
  return directives;
}

function wildcardMatch(pattern: string, name: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replaceAll("*", ".*")
    .replaceAll("?", ".");
  return new RegExp(`^${regex}$`, "is").test(name);
}

/** A Host/Match pattern list: any positive pattern matches and no negated one does. */
export function patternListMatches(patterns: readonly string[], name: string): boolean {
  let matched = false;
  for (const pattern of patterns.flatMap((item) => item.split(","))) {
    if (pattern.startsWith("!")) {
      if (wildcardMatch(pattern.slice(1), name)) return false;
    } else if (wildcardMatch(pattern, name)) {
      matched = true;
    }
  }
  return matched;
}

/** Include arguments: ~ expanded, relative to ~/.ssh (user config) or /etc/ssh, globs in the last part. */
function includedFiles(argument: string, relativeTo: string, home: string): string[] {
  let path = argument.startsWith("~/") ? join(home, argument.slice(2)) : argument;
  if (!isAbsolute(path)) path = join(relativeTo, path);
  const name = basename(path);
  if (!/[*?]/.test(name)) return existsSync(path) ? [path] : [];
  const directory = dirname(path);
  if (!existsSync(directory)) return [];
  return readdirSync(directory)
    .filter((entry) => wildcardMatch(name, entry))
    .sort()
    .map((entry) => join(directory, entry));
}

/** Applies config files to one host the way readconf.c does: the first value of a keyword wins. */
export function evaluateSshConfig(
  files: readonly string[],
  alias: string,
  overrides: { user?: string; port?: number },
  environment: Required<Pick<SshConfigEnvironment, "home" | "localUser">>,
): SshHostConfig {
  const values = new Map<string, string[]>();
  if (overrides.user !== undefined) values.set("user", [overrides.user]);
  if (overrides.port !== undefined) values.set("port", [String(overrides.port)]);
  const accumulating = new Set(["identityfile", "certificatefile", "localforward", "remoteforward", "dynamicforward"]);
  const set = (keyword: string, value: string) => {
    if (accumulating.has(keyword)) values.set(keyword, [...(values.get(keyword) ?? []), value]);
    else if (!values.has(keyword)) values.set(keyword, [value]);
  };
  const matchActive = (args: string[]): boolean => {
    const hostname = values.get("hostname")?.[0] ?? alias;
    const user = values.get("user")?.[0] ?? environment.localUser;
    for (let i = 0; i < args.length; i++) {
      const raw = args[i]!.toLowerCase();
      const negated = raw.startsWith("!");
      const criterion = negated ? raw.slice(1) : raw;
      let result: boolean;
      if (criterion === "all") result = true;
      else if (["host", "originalhost", "user", "localuser"].includes(criterion)) {
        const patterns = (args[++i] ?? "").split(",");
        const subject = { host: hostname, originalhost: alias, user, localuser: environment.localUser }[criterion]!;
        result = patternListMatches(patterns, subject);
      } else {
        return false; // exec, canonical, final, localnetwork, tagged: not evaluated by this parser
      }
      if (result === negated) return false;
    }
    return true;
  };
  const seen = new Set<string>();
  const readFile = (file: string, relativeTo: string, startActive: boolean, depth: number) => {
    if (depth > 16 || seen.has(`${file}@${depth}`)) return;
    seen.add(`${file}@${depth}`);
    let active = startActive;
    for (const directive of parseSshConfigText(readFileSync(file, "utf8"), file)) {
      if (directive.keyword === "host") active = patternListMatches(directive.args, alias);
      else if (directive.keyword === "match") active = matchActive(directive.args);
      else if (!active) continue;
      else if (directive.keyword === "include") {
        for (const pattern of directive.args) {
          for (const included of includedFiles(pattern, relativeTo, environment.home)) readFile(included, relativeTo, true, depth + 1);
        }
      } else if (directive.args.length > 0) {
        // UserKnownHostsFile and friends take several words on one line: keep them as one value
        set(directive.keyword, directive.args.length === 1 ? directive.args[0]! : directive.args.map((arg) => `"${arg}"`).join(" "));
      }
    }
  };
  for (const file of files) {
    if (!existsSync(file)) continue;
    const systemWide = file.startsWith("/etc/ssh/");
    readFile(file, systemWide ? "/etc/ssh" : join(environment.home, ".ssh"), true, 0);
  }
  return hostConfigFrom(
    (keyword) => values.get(keyword)?.[0],
    (keyword) => values.get(keyword) ?? [],
    alias,
    environment,
    "config parser",
  );
}

/** Runs `ssh -G`; undefined when ssh is not installed. */
function askOpenSsh(binary: string, target: SshTarget, configFile: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  const args = ["-G", ...(configFile ? ["-F", configFile] : [])];
  if (target.user !== undefined) args.push("-l", target.user);
  if (target.port !== undefined) args.push("-p", String(target.port));
  args.push("--", target.host);
  const result = spawnSync(binary, args, { encoding: "utf8", env, timeout: 10_000, stdio: ["ignore", "pipe", "pipe"] });
  if (result.error && (result.error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
  if (result.error || result.status !== 0) {
    const why =
      (result.stderr ?? "")
        .trim()
        .split("\n")
        .filter((line) => line !== "")
        .at(-1) ??
      result.error?.message ??
      "failed";
    throw new RssdriftError(`cannot read the SSH configuration for ${target.host}: ${why}`, EXIT.badInput, undefined, "ssh-config");
  }
  return result.stdout;
}

/** The effective configuration for a target, as OpenSSH would use it. */
export function resolveSshConfig(target: SshTarget, configFile: string | undefined, environment: SshConfigEnvironment = {}): SshHostConfig {
  const home = environment.home ?? homedir();
  const localUser = environment.localUser ?? userInfo().username;
  const env = environment.env ?? process.env;
  if (configFile !== undefined && !existsSync(configFile)) {
    throw new RssdriftError(`the SSH config file ${configFile} does not exist`, EXIT.badInput, undefined, "ssh-config");
  }
  const binary = environment.sshBinary === undefined ? "ssh" : environment.sshBinary;
  const output = binary === null ? undefined : askOpenSsh(binary, target, configFile, env);
  if (output !== undefined) return hostConfigFromSshG(output, target.host, { home, localUser });
  const files = configFile !== undefined ? [configFile] : [join(home, ".ssh", "config"), "/etc/ssh/ssh_config"];
  return evaluateSshConfig(files, target.host, target, { home, localUser });
}
