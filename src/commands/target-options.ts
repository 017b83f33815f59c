// The flags every command that reads a target shares (report, watch, fleet), turned into the
// target a source reads (src/sources/target.ts) in one place.
import { checkPythonCommand } from "../sources/python.js";
import type { Backend, TargetOptions } from "../sources/target.js";
import { defaultSshOptions } from "../transports/ssh-options.js";
import { parseSshTarget } from "../transports/ssh-target.js";
import { badInput, wholeNumber, type Flags } from "./parse-flags.js";

/** no defaults here: a flag not given is undefined, so a command can tell which were given */
export const targetFlags = {
  host: { type: "string", multiple: true },
  backend: { type: "string" },
  interval: { type: "string" },
  smaps: { type: "boolean" },
  python: { type: "string" },
  vmlinux: { type: "string" },
  "sudo-prompt": { type: "boolean" },
  "accept-new": { type: "boolean" },
  identity: { type: "string", short: "i", multiple: true },
  "ssh-config": { type: "string", short: "F" },
  "known-hosts": { type: "string" },
} as const satisfies Flags;

/** targetFlags as parsed */
export interface TargetFlagValues {
  host?: string[];
  backend?: string;
  interval?: string;
  smaps?: boolean;
  python?: string;
  vmlinux?: string;
  "sudo-prompt"?: boolean;
  "accept-new"?: boolean;
  identity?: string[];
  "ssh-config"?: string;
  "known-hosts"?: string;
}

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
    throw badInput(
      `--vmlinux takes an absolute path on the target, not ${JSON.stringify(text)}`,
      "e.g. --vmlinux /usr/lib/debug/boot/vmlinux-$(uname -r)",
    );
  }
  return text;
}

function parseBackend(text: string): Backend {
  if (text === "auto" || text === "bpf" || text === "drgn" || text === "procfs") return text;
  throw badInput(`--backend is auto, bpf, drgn or procfs, not ${JSON.stringify(text)}`);
}

/**
 * The target the flags name, all but its pid (each command has its own rule for that). Every
 * --host is checked now, before any connection or view starts; the first is the one read.
 */
export function targetFrom(
  values: TargetFlagValues,
  settings: {
    defaultIntervalMs: number;
    /** the command's Ctrl-C signal: it also gives up an SSH connection still being made */
    signal?: AbortSignal;
    /** for RSSDRIFT_PYTHON */
    env: NodeJS.ProcessEnv;
  },
): Omit<TargetOptions, "pid"> {
  const hosts = values.host ?? [];
  for (const host of hosts) parseSshTarget(host);
  return {
    backend: parseBackend(values.backend ?? "auto"),
    intervalMs: values.interval === undefined ? settings.defaultIntervalMs : parseMilliseconds(values.interval, "--interval"),
    smaps: values.smaps ?? false,
    host: hosts[0],
    python: parsePython(values.python, settings.env),
    vmlinux: parseVmlinux(values.vmlinux),
    ssh: {
      ...defaultSshOptions(),
      configFile: values["ssh-config"],
      identityFiles: values.identity ?? [],
      knownHostsFile: values["known-hosts"],
      acceptNew: values["accept-new"] ?? false,
      sudoPrompt: values["sudo-prompt"] ?? false,
      ...(settings.signal ? { signal: settings.signal } : {}),
    },
  };
}
