// How the helper is started, the same way on this machine and over SSH: python3, isolated
// (-I, see python.ts), runs a fixed bootstrap that reads the helper from stdin, so nothing is
// written on the target. The helper is helpers/rss_stat.py plus its package
// (helpers/rssdrift_helper/: its modules and protocol.json), sent as one JSON bundle; the
// bootstrap serves the modules to `import` and the data to their loader's get_data from that
// bundle, and runs the entry script.
// stdin then stays open as the control channel (protocol.json's controlCommands), and its end,
// when we exit or the connection drops, makes the helper exit: no root process is left behind.
// The kernel backends run as root (or through sudo); the procfs backend runs as the user.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { HelperBackend } from "../schema/helper-line.js";
import type { helperProtocol } from "../protocol/helper-protocol.js";
import { DEFAULT_PYTHON, isolatedPython } from "./python.js";

/** helpers/, found from this file whether running from src/ (tests) or dist/src/ */
function helpersDir(): string {
  for (const rel of ["../../helpers/", "../../../helpers/"]) {
    const path = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(join(path, "rss_stat.py"))) return path;
  }
  throw new Error("helpers/rss_stat.py is missing from this installation");
}

const HELPERS_DIR = helpersDir();
export const HELPER_SCRIPT_PATH = join(HELPERS_DIR, "rss_stat.py");
/** the package the entry script imports; every .py in it, and its protocol.json, go into the bundle */
const HELPER_PACKAGE = "rssdrift_helper";
/** the package's data file: the bundle names it by its path, as protocol.py asks its loader for it */
const PROTOCOL_FILE = `${HELPER_PACKAGE}/protocol.json`;

/** The header before the bundle is exactly this many decimal digits, then a newline. */
const LENGTH_DIGITS = 10;

/**
 * Reads an exactly-sized JSON bundle {module name: source, "__main__": entry script, data file
 * path: text} from fd 0, lets `import` find the modules in it (a meta path finder; a name with
 * submodules in the bundle is a package) and their loader's get_data find the data, and runs the
 * entry script as __main__. Fixed text, never built from user input.
 * Raw os.read (not sys.stdin) so that no control line is swallowed by a buffer.
 */
export const BOOTSTRAP =
  "import os,sys,json\n" +
  "from importlib.machinery import ModuleSpec\n" +
  "def r(n):\n" +
  " b=b''\n" +
  " while len(b)<n:\n" +
  "  c=os.read(0,n-len(b))\n" +
  "  if not c: os._exit(3)\n" +
  "  b+=c\n" +
  " return b\n" +
  `S=json.loads(r(int(r(${LENGTH_DIGITS + 1}))))\n` +
  "class L:\n" +
  " def find_spec(s,n,p=None,t=None):\n" +
  "  if n in S and n!='__main__':return ModuleSpec(n,s,is_package=any(k.startswith(n+'.') for k in S))\n" +
  " def create_module(s,spec):pass\n" +
  " def exec_module(s,m):exec(compile(S[m.__name__],m.__name__,'exec'),m.__dict__)\n" +
  " def get_data(s,p):return S[p]\n" +
  "sys.meta_path.insert(0,L())\n" +
  "exec(compile(S['__main__'],'rss_stat.py','exec'),{'__name__':'__main__'})\n";

/**
 * The helper exits when no control line came for this long; the source pings three times as
 * often. A link that dies without closing would otherwise keep a root helper alive for minutes.
 */
export const HEARTBEAT_S = 30;
/** the pings that keep a helper alive: three per heartbeat period */
export const pingEveryMs = (heartbeatS: number) => (heartbeatS * 1000) / 3;
/** how the helper ends when its heartbeat runs out: SIGALRM's status (128 + 14), also through sudo and SSH */
export const HEARTBEAT_EXIT_CODE = 142;

/** The helper's readers of the kernel's own counters. */
export type KernelBackend = "bpf" | "drgn";

export interface HelperOptions {
  /** the target; "self" is the helper's own process (doctor's round trip) */
  pid: number | "self";
  /** which reader the helper runs (procfs: the estimate from /proc, no root); omitted: drgn, the helper's default */
  backend?: HelperBackend;
  intervalMs: number;
  /** stop after this many samples; omitted: run until stdin closes */
  count?: number;
  /** also read /proc/PID/smaps_rollup each tick */
  smaps: boolean;
  /** prefix with `sudo -n` because the user on the target is not root */
  sudo: boolean;
  /** seconds without a control line before the helper exits; default HEARTBEAT_S (tests shorten it) */
  heartbeatS?: number;
  /** the interpreter on the target (--python, RSSDRIFT_PYTHON); default python3 */
  python?: string;
  /** drgn reads the kernel's debug info from this vmlinux instead of searching for it (--vmlinux) */
  vmlinux?: string;
  /** how messages name the target machine (Transport.where); the procfs backend's say where a file could not be read */
  where?: string;
}

/** `[sudo -n] PYTHON -I -c BOOTSTRAP`: how every helper starts; its own arguments follow. */
function launcher(options: Pick<HelperOptions, "sudo" | "python">): string[] {
  const python = isolatedPython(options.python ?? DEFAULT_PYTHON, ["-c", BOOTSTRAP]);
  return [...(options.sudo ? ["sudo", "-n"] : []), ...python];
}

/** The argv to start on the target; every element is one word (transports quote, never join). */
export function helperArgv(options: HelperOptions): string[] {
  const argv = launcher(options);
  argv.push("--pid", String(options.pid), "--interval", String(options.intervalMs), "--control");
  argv.push("--heartbeat", String(options.heartbeatS ?? HEARTBEAT_S));
  if (options.backend !== undefined && options.backend !== "drgn") argv.push("--backend", options.backend);
  if (options.count !== undefined) argv.push("--count", String(options.count));
  if (options.smaps) argv.push("--smaps");
  if (options.vmlinux !== undefined) argv.push("--vmlinux", options.vmlinux);
  if (options.where !== undefined) argv.push("--where", options.where);
  return argv;
}

/**
 * The argv of the helper's check mode (`rssdrift doctor`): it checks every prerequisite of each
 * backend where it runs, prints one check line and exits; no pid, no samples, no control lines.
 */
export function checkArgv(options: Pick<HelperOptions, "sudo" | "python" | "vmlinux">): string[] {
  const argv = [...launcher(options), "--check"];
  if (options.vmlinux !== undefined) argv.push("--vmlinux", options.vmlinux);
  return argv;
}

/** The helper's sources by module name (the entry script as "__main__", and the package), and its protocol.json. */
export function helperBundle(): Record<string, string> {
  const bundle: Record<string, string> = { __main__: readFileSync(HELPER_SCRIPT_PATH, "utf8") };
  const packageDir = join(HELPERS_DIR, HELPER_PACKAGE);
  for (const file of readdirSync(packageDir)
    .filter((name) => name.endsWith(".py"))
    .sort()) {
    const module = file === "__init__.py" ? HELPER_PACKAGE : `${HELPER_PACKAGE}.${file.slice(0, -3)}`;
    bundle[module] = readFileSync(join(packageDir, file), "utf8");
  }
  bundle[PROTOCOL_FILE] = readFileSync(join(HELPERS_DIR, PROTOCOL_FILE), "utf8");
  return bundle;
}

/**
 * What to write to the helper's stdin first: the length header and the bundle. `script` replaces
 * the whole helper with one stand-alone script (tests of the plumbing).
 */
export function helperPreamble(script?: Buffer): Buffer {
  const bundle = script === undefined ? helperBundle() : { __main__: script.toString("utf8") };
  const body = Buffer.from(JSON.stringify(bundle), "utf8");
  const header = `${String(body.length).padStart(LENGTH_DIGITS, "0")}\n`;
  return Buffer.concat([Buffer.from(header, "ascii"), body]);
}

type ControlCommand = Exclude<keyof typeof helperProtocol.controlCommands, "$comment">;
const controlLine = (command: ControlCommand, ...args: number[]) => `${[command, ...args].join(" ")}\n`;

/** The control commands the helper reads from stdin, one per line (protocol.json's controlCommands). */
export const control = {
  sampleNow: controlLine("sample"),
  interval: (ms: number) => controlLine("interval", Math.round(ms)),
  pause: controlLine("pause"),
  resume: controlLine("resume"),
  ping: controlLine("ping"),
} as const;
