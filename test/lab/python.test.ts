// The interpreter and debug-info choices against real kernels with real drgn (0.0.31 on trixie,
// 0.0.22 on bookworm), through the built CLI over SSH: the isolated helper imports the system's
// drgn; --vmlinux loads the named vmlinux; a python that cannot import drgn (a venv of the
// distribution's python3 without its site-packages, as pyenv or a venv would be) gets the
// --python /usr/bin/python3 hint; and docs/sudo.md's wrapper lets a user without any NOPASSWD
// rule of its own run the helper, and nothing else.
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { HELPER_SCRIPT_PATH } from "../../src/sources/helper-launch.js";
import { copyToGuest, inGuestOk, labScript, outputOf, useLabVm } from "./lab-vm.js";
import { runCli } from "./run-cli.js";

const suites = [
  { suite: "trixie", era: "percpu" },
  { suite: "bookworm", era: "split-rss" },
] as const;

const WRAPPER = "/usr/local/sbin/rssdrift-helper";
const VENV_PYTHON = "/tmp/py/bin/python3";

describe.each(suites)("--python, --vmlinux and the sudo wrapper on the $suite lab VM", ({ suite, era }) => {
  const env = useLabVm(suite, {
    afterBoot: async () => {
      // a venv without the system site-packages: made by hand, python3-venv is not installed
      await inGuestOk(suite, [
        "sh",
        "-c",
        'mkdir -p /tmp/py/bin && ln -sf "$(readlink -f /usr/bin/python3)" /tmp/py/bin/python3 && ' +
          'printf "home = /usr/bin\\ninclude-system-site-packages = false\\n" > /tmp/py/pyvenv.cfg',
      ]);
      // docs/sudo.md's install, for nopw, whose sudo otherwise wants a password
      await copyToGuest(suite, readFileSync(new URL("../../scripts/sudo/rssdrift-helper", import.meta.url)), WRAPPER, "755");
      await copyToGuest(suite, readFileSync(HELPER_SCRIPT_PATH), "/usr/local/lib/rssdrift/rss_stat.py", "644");
      const modules = join(dirname(HELPER_SCRIPT_PATH), "rssdrift_helper");
      for (const file of readdirSync(modules).filter((name) => name.endsWith(".py") || name === "protocol.json")) {
        await copyToGuest(suite, readFileSync(join(modules, file)), `/usr/local/lib/rssdrift/rssdrift_helper/${file}`, "644");
      }
      await copyToGuest(suite, Buffer.from(`nopw ALL=(root) NOPASSWD: ${WRAPPER}\n`), "/etc/sudoers.d/rssdrift-wrapper", "440");
      await inGuestOk(suite, ["visudo", "-c"]);
    },
  });
  const target = (user?: string) => ["--host", user ? `${user}@${env().LAB_SSH_HOST}` : env().LAB_SSH_HOST!, "-F", env().LAB_SSH_CONFIG!];
  const report = async (args: string[]) => {
    const run = await runCli(["1", "--backend", "drgn", "--json", ...args]);
    return { ...run, json: run.code === 0 ? (JSON.parse(run.stdout) as { hello: { era: string; drgn: string } }) : undefined };
  };

  it("reads the counters with the isolated python3 (-I keeps the system's drgn importable)", async () => {
    const run = await report(target());
    expect(run.code, run.stderr).toBe(0);
    expect(run.json!.hello.era).toBe(era);
  });

  it("loads the kernel's debug info from --vmlinux", async () => {
    const run = await report([...target(), "--vmlinux", `/usr/lib/debug/boot/vmlinux-${env().LAB_KERNEL}`]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json!.hello.era).toBe(era);
  });

  it("says what is wrong with a --vmlinux that is not the kernel's, instead of quietly searching on", async () => {
    const notElf = await runCli(["1", "--backend", "drgn", ...target(), "--vmlinux", "/etc/hostname"]);
    expect(notElf.code).toBe(4);
    expect(notElf.stderr).toContain("--vmlinux /etc/hostname: not an ELF file");
    const otherElf = await runCli(["1", "--backend", "drgn", ...target(), "--vmlinux", "/usr/bin/sudo"]);
    expect(otherElf.code).toBe(4);
    expect(otherElf.stderr).toMatch(/--vmlinux \/usr\/bin\/sudo is not the running kernel's \(build ID [0-9a-f]+; .* has [0-9a-f]+\)/);
  });

  it("names --python /usr/bin/python3 when the chosen python cannot import drgn but the distribution's can", async () => {
    const run = await runCli(["1", "--backend", "drgn", ...target(), "--python", VENV_PYTHON]);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain(`drgn is not usable by ${VENV_PYTHON}`);
    expect(run.stderr).toContain("rerun with --python /usr/bin/python3");
    const doctor = await runCli(["doctor", ...target(), "--python", VENV_PYTHON]);
    expect(doctor.stdout).toMatch(/✘ drgn +not installed for \/tmp\/py\/bin\/python3/);
    expect(doctor.stdout).toMatch(
      /fix: drgn is installed for \/usr\/bin\/python3, but the helper ran \/tmp\/py\/bin\/python3.*--python \/usr\/bin\/python3/,
    );
  });

  it("runs the helper through the wrapper for a user with no other sudo rule, and refuses python3 itself", async () => {
    const run = await report([...target("nopw"), "--python", WRAPPER]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json!.hello.era).toBe(era);
    const asNopw = (argv: string[]) =>
      outputOf(spawn(labScript, ["ssh", suite, "--user", "nopw", "--", ...argv], { stdio: ["pipe", "pipe", "pipe"] }));
    const python = await asNopw(["sudo", "-n", "/usr/bin/python3", "-c", "print(1)"]);
    expect(python.code).not.toBe(0);
    const code = await asNopw(["sudo", "-n", WRAPPER, "-I", "-c", "import os; os.system('id')", "--pid", "1"]);
    expect(code.code).toBe(126);
    expect(code.stdout).not.toContain("uid=0");
  });
});
