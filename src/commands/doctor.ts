// `rssdrift doctor [--host H]`: the helper checks everything the kernel backends (bpf, drgn) need
// on the target (its check mode, src/doctor/), each with ✔ / ✘ and the command that fixes it, and
// says which one --backend auto would use. Exit 0 when one of them works, 4 when neither does (the
// procfs estimate still does).
import { commonFlagsHelp, defineCommand, type CommandValues } from "./command.js";
import type { CommandContext } from "./context.js";
import { badInput } from "./parse-flags.js";
import { parsePython, parseVmlinux, targetFlags } from "./target-options.js";
import { renderDoctorText, toDoctorJson } from "../doctor/render.js";
import { kernelPathWorks } from "../doctor/report.js";
import { runDoctor } from "../doctor/run-doctor.js";
import { EXIT } from "../errors.js";
import { printable, printableJson } from "../text/printable.js";
import { localTransport } from "../transports/local-transport.js";
import { defaultSshOptions, type SshOptions } from "../transports/ssh-options.js";
import type { Transport } from "../transports/transport.js";

export const doctorHelp = `Usage: rssdrift doctor [--host [user@]host[:port]] [--python PATH] [--vmlinux PATH] [--json] [--no-color]

Checks, on this machine or over SSH, what reading the kernel's RSS counters needs, for each of the
two kernel backends, and prints for each check ✔ or ✘ and the exact command that fixes it; then
which backend \`--backend auto\` would use there (bpf, else drgn, else the procfs estimate).
The helper checks it all itself, where it runs and as it runs, in one go: started once as root,
or, for another user, once as that user and once through \`sudo -n\`, as rssdrift starts it.
Both need root (or \`sudo -n\`), python3 and a lockdown below confidentiality; drgn's checks:

  root           drgn opens /proc/kcore, which only root may read (CAP_SYS_RAWIO). rssdrift runs
                 the helper as root, or through \`sudo -n\` (never a prompt): \`sudo -n true\` must work,
                 or a sudoers rule must allow the helper without a password (docs/sudo.md).
  /proc/kcore    the running kernel's memory, as drgn reads it. Missing when the kernel is built
                 without CONFIG_PROC_KCORE or a container hides it; read once as root to be sure.
  lockdown       /sys/kernel/security/lockdown. [confidentiality] blocks /proc/kcore (drgn) and bpf's
                 reads of kernel memory (bpf), even for root; [integrity] (Secure Boot's usual mode)
                 and [none] block neither.
  python3        the helper is a Python script, sent over stdin: nothing is installed on the target.
                 Every Python is started isolated (python3 -I), as the helper is.
  drgn           the kernel debugger that reads the counters (import drgn, and its version). When
                 python3 on the PATH lacks it but /usr/bin/python3 has it, says to pass --python.
  debug info     drgn needs the kernel's DWARF (a vmlinux with .debug_info) for \`uname -r\`, in
                 /usr/lib/debug/boot, /usr/lib/debug/lib/modules, /boot or /lib/modules/…/build;
                 debuginfod counts only where drgn (0.0.31+, Fedora) would use it for the kernel.
  rss_stat era   how this kernel caches RSS: percpu (v6.2+, drift parked per CPU) or split-rss
                 (older, drift parked per thread). Found by the drgn reader itself, run once on the
                 helper's own process, when everything above is green; otherwise guessed from the
                 version, and said so.
bpf's checks (auto tries bpf first; it needs no debug info):
  BTF            /sys/kernel/btf/vmlinux, the kernel's description of its own types
                 (CONFIG_DEBUG_INFO_BTF; distribution kernels have it).
  capabilities   what the helper would run with: CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN). Root
                 in a container often lacks them, and a seccomp profile can refuse bpf() outright.
  bpf()          the proof: the helper's bpf reader, run once on its own process, up to its first
                 sample. Shows how it found the per-CPU offsets and the era; when it fails, its
                 error names the check above that failed.

Target:
  --python PATH  the Python the helper runs in (default: python3 on the PATH; also
                 RSSDRIFT_PYTHON), e.g. /usr/bin/python3, the one python3-drgn installs for
  --vmlinux PATH check this vmlinux (with DWARF) instead of drgn's search path, and use it for the era

Output:
  (default)      one line per check: ✔ ok, ! could not be checked (not a failure), ✘ failed (with
                 "fix:"), – not checked
  --json         {where, kernel, os, user, auto, checks}: auto is the backend --backend auto would
                 use there (bpf, drgn or procfs); checks is an array of {check, backend, ok, status,
                 code, detail, fix}; backend is both, bpf or drgn; ok is null for a check that was
                 not run, true for ok and warn; status is ok, warn, fail or skipped; code is a
                 failure's stable code (the helper's error code, e.g. no-kcore), else null
${commonFlagsHelp(17)}

SSH:
  --host [user@]host[:port]  check another machine (honours ~/.ssh/config)
  -i, --identity FILE        private key to try first          -F, --ssh-config FILE  instead of ~/.ssh/config
  --known-hosts FILE         instead of ~/.ssh/known_hosts     --accept-new  record an unknown host key
  --sudo-prompt              ask once for the remote sudo password (as rssdrift itself would)

Exit codes: 0 a kernel backend (bpf or drgn) works there; 4 neither does (the procfs estimate,
\`rssdrift <pid> --backend procfs\`, still does: it is what --backend auto falls back to);
2 bad input; 6/7 the SSH connection or its host key failed.

Examples:
  sudo rssdrift doctor                   this machine, as rssdrift would run there
  rssdrift doctor --host ci-7 --json     another machine over SSH, as JSON`;

const {
  host,
  identity,
  "ssh-config": sshConfig,
  "known-hosts": knownHosts,
  "accept-new": acceptNew,
  "sudo-prompt": sudoPrompt,
} = targetFlags;
const doctorFlags = {
  host: { ...host, multiple: false },
  python: targetFlags.python,
  vmlinux: targetFlags.vmlinux,
  identity,
  "ssh-config": sshConfig,
  "known-hosts": knownHosts,
  "accept-new": acceptNew,
  "sudo-prompt": sudoPrompt,
  json: { type: "boolean", default: false },
} as const;

async function openTransport(hostName: string | undefined, ssh: SshOptions, ctx: CommandContext): Promise<Transport> {
  if (hostName === undefined) return localTransport();
  const notice = (line: string) => ctx.stderr.write(`rssdrift: ${printable(line)}\n`);
  // loaded only when needed: local runs do not pay for ssh2
  const { openSshTransport } = await import("../transports/ssh-transport.js");
  return openSshTransport(hostName, ssh, notice);
}

export const doctorCommand = defineCommand({
  name: "doctor",
  help: doctorHelp,
  flags: doctorFlags,
  run: ({ values }, ctx) => doctor(values, ctx),
});

async function doctor(values: CommandValues<typeof doctorFlags>, ctx: CommandContext): Promise<number> {
  if (values["sudo-prompt"] && values.host === undefined) {
    throw badInput("--sudo-prompt is for --host: on this machine, run `sudo rssdrift doctor`");
  }
  const ssh: SshOptions = {
    ...defaultSshOptions(),
    configFile: values["ssh-config"],
    identityFiles: values.identity ?? [],
    knownHostsFile: values["known-hosts"],
    acceptNew: values["accept-new"] ?? false,
    sudoPrompt: values["sudo-prompt"] ?? false,
    signal: ctx.signal,
  };
  const python = parsePython(values.python, ctx.env);
  const vmlinux = parseVmlinux(values.vmlinux);
  const transport = await openTransport(values.host, ssh, ctx);
  try {
    const report = await runDoctor(transport, { signal: ctx.signal, python, vmlinux });
    if (ctx.signal.aborted) return EXIT.interrupted;
    if (values.json) {
      ctx.stdout.write(`${printableJson(toDoctorJson(report), 2)}\n`);
    } else {
      ctx.stdout.write(renderDoctorText(report, { color: ctx.output.color, host: values.host }));
    }
    return kernelPathWorks(report) ? EXIT.ok : EXIT.missingPrerequisite;
  } finally {
    await transport.close();
  }
}
