// The flags every command that reads a target shares (report, watch, fleet), parsed in one place.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { EXIT, RssdriftError } from "../errors.js";
import { parseFlags } from "./parse-flags.js";
import { checkPythonCommand } from "../sources/python.js";
import { defaultSshOptions, type SshOptions } from "../transports/ssh-options.js";
import { parseSshTarget } from "../transports/ssh-target.js";

export type Backend = "auto" | "bpf" | "drgn" | "procfs";

export interface TargetOptions {
  pid: number;
  backend: Backend;
  intervalMs: number;
  /** stop after this many samples; omitted: until closed */
  count?: number;
  smaps: boolean;
  /** [user@]host[:port]; omitted: this machine */
  host?: string;
  ssh: SshOptions;
  /** the Python that runs the helper on the target (--python, else RSSDRIFT_PYTHON); omitted: python3 */
  python?: string;
  /** a vmlinux with DWARF on the target for drgn (--vmlinux); omitted: drgn searches the usual places */
  vmlinux?: string;
}

export const targetFlags = {
  host: { type: "string", multiple: true },
  backend: { type: "string", default: "auto" },
  interval: { type: "string" },
  smaps: { type: "boolean", default: false },
  python: { type: "string" },
  vmlinux: { type: "string" },
  "sudo-prompt": { type: "boolean", default: false },
  "accept-new": { type: "boolean", default: false },
  identity: { type: "string", short: "i", multiple: true },
  "ssh-config": { type: "string", short: "F" },
  "known-hosts": { type: "string" },
} as const satisfies NonNullable<ParseArgsConfig["options"]>;

/** The help text for targetFlags, shared by the commands that take them. */
export const targetFlagsHelp = `Target:
  --host [user@]host[:port]  run the helper on another machine over SSH (honours ~/.ssh/config)
  --backend auto|bpf|drgn|procfs
                             bpf and drgn read the kernel's own counters: bpf needs root (or
                             CAP_BPF + CAP_PERFMON) and the kernel's BTF, no debug info; drgn needs
                             root, /proc/kcore and debug info; procfs estimates from /proc alone.
                             auto (default): bpf, else drgn, else procfs, saying why in one line each
  --interval MS              time between samples
  --smaps                    also read /proc/PID/smaps_rollup (a page-table walk: exact but slow)
  --python PATH              the Python on the target that runs the helper (default: python3 on the
                             PATH; also RSSDRIFT_PYTHON), e.g. /usr/bin/python3 for the distro's drgn
  --vmlinux PATH             the kernel's vmlinux with DWARF on the target, when drgn does not find it
SSH:
  -i, --identity FILE        private key to try first          -F, --ssh-config FILE  instead of ~/.ssh/config
  --known-hosts FILE         instead of ~/.ssh/known_hosts     --accept-new  record an unknown host key
  --sudo-prompt              ask once for the sudo password when the remote user is not root`;

export function badInput(message: string, hint?: string): RssdriftError {
  return new RssdriftError(message, EXIT.badInput, hint, "bad-input");
}

/**
 * The one parser of whole numbers on the command line (pids, --interval, --count, --parallel):
 * decimal digits only, no sign, exponent, hex, spaces or leading zeros; null when not one in range.
 */
export function wholeNumber(text: string, min: number, max: number): number | null {
  if (!/^(0|[1-9]\d{0,14})$/.test(text)) return null;
  const value = Number(text);
  return value >= min && value <= max ? value : null;
}

/** the kernel's PID_MAX_LIMIT on 64-bit */
const PID_MAX = 4194304;

export function parsePid(text: string | undefined): number {
  if (text === undefined) throw badInput("which process? give a pid, e.g. `rssdrift 1234`", "see `rssdrift --help`");
  const pid = wholeNumber(text, 1, PID_MAX);
  if (pid === null) throw badInput(`not a pid: ${JSON.stringify(text)} (a pid is a whole number from 1 to ${PID_MAX})`);
  return pid;
}

export function parseMilliseconds(text: string, flag: string): number {
  const ms = wholeNumber(text, 50, 3_600_000);
  if (ms === null) throw badInput(`${flag} takes whole milliseconds from 50 to 3600000, not ${JSON.stringify(text)}`);
  return ms;
}

/** --python, else RSSDRIFT_PYTHON: an absolute path or a bare command name, one argv word. */
export function parsePython(flag: string | undefined, env: NodeJS.ProcessEnv = {}): string | undefined {
  const [text, origin] = flag !== undefined ? [flag, "--python"] : [env.RSSDRIFT_PYTHON || undefined, "RSSDRIFT_PYTHON"];
  if (text === undefined) return undefined;
  const python = checkPythonCommand(text);
  if (python === undefined) {
    throw badInput(
      `${origin} takes an absolute path or a command name (letters, digits, . _ + -), not ${JSON.stringify(text)}`,
      "e.g. --python /usr/bin/python3",
    );
  }
  return python;
}

/** --vmlinux: an absolute path on the target, passed to the helper as one argv word. */
export function parseVmlinux(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (!text.startsWith("/") || /[\x00-\x1f\x7f]/.test(text)) {
    throw badInput(`--vmlinux takes an absolute path on the target, not ${JSON.stringify(text)}`, "e.g. --vmlinux /usr/lib/debug/boot/vmlinux-$(uname -r)");
  }
  return text;
}

function parseBackend(text: string): Backend {
  if (text === "auto" || text === "bpf" || text === "drgn" || text === "procfs") return text;
  throw badInput(`--backend is auto, bpf, drgn or procfs, not ${JSON.stringify(text)}`);
}

export type FlagValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/**
 * Parses argv with targetFlags plus a command's own flags. Unknown flags are bad input.
 * The pid is the first positional (when the command takes one).
 */
export function parseTargetArgs(
  argv: string[],
  settings: {
    defaultIntervalMs: number;
    extraFlags?: NonNullable<ParseArgsConfig["options"]>;
    pidRequired?: boolean;
    /** ignore flags that belong to another parser (fleet mode reads its own) */
    lenient?: boolean;
    /** the command's Ctrl-C signal: it also gives up an SSH connection still being made */
    signal?: AbortSignal;
    /** where a bad argv is pointed to, e.g. "`rssdrift watch --help`" */
    help?: string;
    /** for RSSDRIFT_PYTHON */
    env?: NodeJS.ProcessEnv;
  },
): { target: TargetOptions; hosts: string[]; values: FlagValues; positionals: string[] } {
  const options = { ...targetFlags, ...settings.extraFlags };
  const parsed = settings.lenient
    ? parseArgs({ args: argv, options, allowPositionals: true, strict: false })
    : parseFlags(argv, options, settings.help ?? "--help");
  const values = parsed.values as FlagValues;
  const hosts = (values.host as string[] | undefined) ?? [];
  for (const host of hosts) parseSshTarget(host); // a malformed one is bad input now, before any connection or view starts
  const pidText = settings.lenient ? undefined : parsed.positionals[0];
  const target: TargetOptions = {
    pid: settings.pidRequired === false && pidText === undefined ? 0 : parsePid(pidText),
    backend: parseBackend(values.backend as string),
    intervalMs: values.interval === undefined ? settings.defaultIntervalMs : parseMilliseconds(values.interval as string, "--interval"),
    smaps: values.smaps as boolean,
    host: hosts[0],
    python: parsePython(values.python as string | undefined, settings.env),
    vmlinux: parseVmlinux(values.vmlinux as string | undefined),
    ssh: {
      ...defaultSshOptions(),
      configFile: values["ssh-config"] as string | undefined,
      identityFiles: (values.identity as string[] | undefined) ?? [],
      knownHostsFile: values["known-hosts"] as string | undefined,
      acceptNew: values["accept-new"] as boolean,
      sudoPrompt: values["sudo-prompt"] as boolean,
      ...(settings.signal ? { signal: settings.signal } : {}),
    },
  };
  return { target, hosts, values, positionals: parsed.positionals };
}
