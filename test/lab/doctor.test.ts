// `rssdrift doctor` against real kernels in the lab VMs (scripts/lab/lab), over the real SSH
// transport: all green as root, as a user whose sudoers rule allows python3 only, and as a user
// whose sudo wants a password (red without --sudo-prompt, green with it). The era comes from the
// real helper's hello line: percpu on trixie (6.12), split-rss on bookworm (6.1).
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { runCommandLine } from "../../src/commands/command.js";
import type { ProcessContext } from "../../src/commands/context.js";
import { doctorCommand } from "../../src/commands/doctor.js";
import { renderDoctorText } from "../../src/doctor/render.js";
import { type DoctorCheck, kernelPathWorks } from "../../src/doctor/report.js";
import { runDoctor } from "../../src/doctor/run-doctor.js";
import { EXIT } from "../../src/errors.js";
import { defaultSshOptions } from "../../src/transports/ssh-options.js";
import { openSshTransport } from "../../src/transports/ssh-transport.js";
import { useLabVm } from "./lab-vm.js";

function capture(): { ctx: ProcessContext; out: () => string } {
  const stdout = new PassThrough();
  let out = "";
  stdout.on("data", (chunk) => (out += chunk));
  return {
    ctx: { stdin: new PassThrough(), stdout, stderr: new PassThrough(), env: {}, signal: new AbortController().signal },
    out: () => out,
  };
}

const checkNames = ["root", "lockdown", "python3", "BTF", "capabilities", "bpf()", "/proc/kcore", "drgn", "debug info", "rss_stat era"];
const byName = (results: DoctorCheck[]) => Object.fromEntries(results.map((result) => [result.check, result]));

const suites = [
  { suite: "trixie", era: "percpu", layout: "struct percpu_counter [4]" },
  { suite: "bookworm", era: "split-rss", layout: "struct mm_rss_stat" },
] as const;

describe.each(suites)("doctor on the $suite lab VM", ({ suite, era, layout }) => {
  const env = useLabVm(suite);
  const ssh = () => ({ ...defaultSshOptions(), configFile: env().LAB_SSH_CONFIG });
  const notice = () => {};

  it("is all green as root, and exits 0", async () => {
    const { ctx, out } = capture();
    const code = await runCommandLine(doctorCommand, ["--host", env().LAB_SSH_HOST!, "-F", env().LAB_SSH_CONFIG!], ctx);
    console.log(`rssdrift doctor --host ${env().LAB_SSH_HOST} (${suite}):\n${out()}`);
    expect(code).toBe(EXIT.ok);
    for (const name of checkNames) expect(out()).toMatch(new RegExp(`^✔ ${name.replace(/[/()]/g, "\\$&")} `, "m"));
    expect(out()).toContain(`kernel ${env().LAB_KERNEL}`);
    expect(out()).toContain(`drgn ${env().LAB_DRGN!.replace(/-\d+$/, "")}`); // the Debian revision is not in __version__
    expect(out()).toContain(`/usr/lib/debug/boot/vmlinux-${env().LAB_KERNEL} (has .debug_info)`);
    expect(out()).toMatch(
      new RegExp(`✔ rss_stat era +${era} \\(detected from the kernel's types: mm->rss_stat is ${layout.replace(/[[\]]/g, "\\$&")}`),
    );
    expect(out()).toContain("All green");
  });

  it("says the same in --json", async () => {
    const { ctx, out } = capture();
    expect(await runCommandLine(doctorCommand, ["--host", env().LAB_SSH_HOST!, "-F", env().LAB_SSH_CONFIG!, "--json"], ctx)).toBe(EXIT.ok);
    const json = JSON.parse(out()) as { kernel: string; auto: string; checks: { check: string; ok: boolean | null; fix: string | null }[] };
    expect(json.kernel).toBe(env().LAB_KERNEL);
    expect(json.auto).toBe("bpf");
    expect(json.checks.map((entry) => [entry.check, entry.ok, entry.fix])).toEqual(checkNames.map((name) => [name, true, null]));
  });

  it("is all green for a user whose sudoers rule allows python3 and nothing else", async () => {
    const transport = await openSshTransport(`rssdrift@${env().LAB_SSH_HOST}`, ssh(), notice);
    try {
      const { results } = await runDoctor(transport);
      expect(results.filter((result) => result.status !== "ok")).toEqual([]);
      expect(byName(results).root!.detail).toContain("may run python3");
      expect(byName(results)["rss_stat era"]!.detail).toMatch(new RegExp(`^${era} `));
    } finally {
      await transport.close();
    }
  });

  it("fails the root check, with a fix, when sudo wants a password, and does not run the readers", async () => {
    const transport = await openSshTransport(`nopw@${env().LAB_SSH_HOST}`, ssh(), notice);
    try {
      const report = await runDoctor(transport);
      console.log(`doctor as nopw@ (${suite}):\n${renderDoctorText(report, { color: false, host: `nopw@${env().LAB_SSH_HOST}` })}`);
      const { results } = report;
      const checks = byName(results);
      expect(kernelPathWorks(report)).toBe(false);
      expect(checks.root!.status).toBe("fail");
      expect(checks.root!.detail).toMatch(/`sudo -n python3` fails: sudo: a password is required/);
      expect(checks.root!.fix).toContain("--sudo-prompt");
      expect(checks["rss_stat era"]!.status).toBe("skipped");
      // what needs no root still passes
      expect([checks.python3!.status, checks.lockdown!.status]).toEqual(["ok", "ok"]);
    } finally {
      await transport.close();
    }
  });

  it("is all green for that user with --sudo-prompt (the password typed once)", async () => {
    let asked = 0;
    const prompt = async () => {
      asked += 1;
      return "nopw";
    };
    const transport = await openSshTransport(`nopw@${env().LAB_SSH_HOST}`, { ...ssh(), sudoPrompt: true }, notice, { prompt });
    try {
      const { results } = await runDoctor(transport);
      expect(results.filter((result) => result.status !== "ok")).toEqual([]);
      expect(asked).toBe(1);
    } finally {
      await transport.close();
    }
  });
});
