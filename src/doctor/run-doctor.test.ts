// How doctor asks the helper: once as the user, and through `sudo -n` only for a user who is not
// root (or when the user's interpreter did not run); what it says itself when sudo refuses or the
// interpreter never runs. A transport that
// answers from a script stands in for the target: it records every command it was asked to start.
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { EXIT, RssdriftError } from "../errors.js";
import { CHECK_BACKENDS, CHECK_NAMES, type CheckEntry, type CheckLine } from "../schema/helper-line.js";
import type { CommandExit, RunningCommand, Transport } from "../transports/transport.js";
import { kernelPathWorks } from "./report.js";
import { runDoctor } from "./run-doctor.js";

interface Answer {
  stdout?: string;
  stderr?: string;
  exit?: CommandExit;
  /** the transport cannot start the first word (the local transport's "not installed") */
  notFound?: boolean;
}

function scripted(answer: (argv: readonly string[]) => Answer): { transport: Transport; started: string[][] } {
  const started: string[][] = [];
  const transport: Transport = {
    where: "ci-7",
    async start(argv) {
      started.push([...argv]);
      const reply = answer(argv);
      if (reply.notFound)
        throw new RssdriftError(`${argv[0]} is not installed on this machine`, EXIT.missingPrerequisite, undefined, "no-command");
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      const stdin = new PassThrough();
      stdin.resume();
      stdout.end(reply.stdout ?? "");
      stderr.end(reply.stderr ?? "");
      const command: RunningCommand = {
        stdin,
        stdout,
        stderr,
        exited: Promise.resolve(reply.exit ?? { code: 0, signal: null }),
        stop: async () => {},
      };
      return command;
    },
    close: async () => {},
  };
  return { transport, started };
}

const entry = (name: CheckEntry["check"], status: CheckEntry["status"] = "ok", detail = "fine", fix: string | null = null): CheckEntry => ({
  check: name,
  backend: CHECK_BACKENDS[name],
  status,
  code: status === "fail" ? "not-root" : null,
  detail,
  fix,
});

function line(euid: number, overrides: Partial<Record<CheckEntry["check"], CheckEntry>> = {}, auto: CheckLine["auto"] = "bpf"): string {
  const checks = CHECK_NAMES.map((name) => overrides[name] ?? entry(name));
  const check: CheckLine = {
    type: "check",
    protocol: 1,
    kernel: "6.12.0",
    os: "Debian GNU/Linux 13 (trixie)",
    user: "deploy",
    uid: 1000,
    euid,
    auto,
    checks,
  };
  return `${JSON.stringify(check)}\n`;
}

const asUser = line(
  1000,
  {
    root: entry("root", "fail", "running as deploy (uid 1000)", "run it as root"),
    "rss_stat era": entry("rss_stat era", "skipped", "not checked"),
  },
  "procfs",
);
const isSudo = (argv: readonly string[]) => argv[0] === "sudo";

describe("runDoctor", () => {
  it("asks the helper once, without sudo, when it runs as root, and shows its report as it is", async () => {
    const { transport, started } = scripted(() => ({ stdout: line(0) }));
    const report = await runDoctor(transport);
    expect(started).toHaveLength(1);
    expect(started[0]!.slice(0, 2)).toEqual(["python3", "-I"]);
    expect(started[0]).toContain("--check");
    expect(report).toMatchObject({ where: "ci-7", kernel: "6.12.0", user: "deploy", autoUses: "bpf" });
    expect(report.results.map((result) => result.check)).toEqual(CHECK_NAMES);
  });

  it("passes --python and --vmlinux on to the helper", async () => {
    const { transport, started } = scripted(() => ({ stdout: line(0) }));
    await runDoctor(transport, { python: "/usr/bin/python3", vmlinux: "/tmp/vmlinux" });
    expect(started[0]![0]).toBe("/usr/bin/python3");
    expect(started[0]!.slice(-3)).toEqual(["--check", "--vmlinux", "/tmp/vmlinux"]);
  });

  it("asks again through sudo -n for a user who is not root, and says sudo is how root is reached", async () => {
    const { transport, started } = scripted((argv) => ({ stdout: isSudo(argv) ? line(0) : asUser }));
    const report = await runDoctor(transport);
    expect(started.map((argv) => argv.slice(0, 3))).toEqual([
      ["python3", "-I", "-c"],
      ["sudo", "-n", "python3"],
    ]);
    const root = report.results.find((result) => result.check === "root")!;
    expect(root).toMatchObject({
      status: "ok",
      detail: "running as deploy (uid 1000); `sudo -n` may run python3, which is all the helper needs",
    });
    expect(kernelPathWorks(report)).toBe(true);
  });

  it("fails root with sudo's own words and the fix when sudo wants a password, keeps what needs no root, and leaves auto with the estimate", async () => {
    const { transport } = scripted((argv) =>
      isSudo(argv) ? { stderr: "sudo: a password is required\n", exit: { code: 1, signal: null } } : { stdout: asUser },
    );
    const report = await runDoctor(transport);
    const checks = Object.fromEntries(report.results.map((result) => [result.check, result]));
    expect(checks.root).toMatchObject({
      status: "fail",
      code: "sudo-password",
      detail: "running as deploy (uid 1000), and `sudo -n python3` fails: sudo: a password is required",
    });
    expect(checks.root!.fix).toMatch(/^run rssdrift as root on the target \(.*\); or rerun with --sudo-prompt/);
    expect(checks.lockdown!.status).toBe("ok");
    expect(report.autoUses).toBe("procfs");
  });

  it("says sudo is not installed when the transport cannot start it", async () => {
    const { transport } = scripted((argv) => (isSudo(argv) ? { notFound: true } : { stdout: asUser }));
    const root = (await runDoctor(transport)).results.find((result) => result.check === "root")!;
    expect(root).toMatchObject({ status: "fail", code: "no-sudo", detail: "running as deploy (uid 1000), and sudo is not installed" });
    expect(root.fix).toMatch(/^run rssdrift as root on the target/);
  });

  it("says when sudo finds no python3 of that name", async () => {
    const { transport } = scripted((argv) =>
      isSudo(argv) ? { stderr: "sudo: python3: command not found\n", exit: { code: 1, signal: null } } : { stdout: asUser },
    );
    const root = (await runDoctor(transport)).results.find((result) => result.check === "root")!;
    expect(root).toMatchObject({ status: "fail", code: "no-python" });
    expect(root.fix).toContain("--python");
  });

  it("tries sudo when the interpreter is not there for the user: sudo's PATH may have it", async () => {
    const { transport, started } = scripted((argv) => (isSudo(argv) ? { stdout: line(0) } : { notFound: true }));
    const report = await runDoctor(transport);
    expect(started.map((argv) => argv[0])).toEqual(["python3", "sudo"]);
    expect(report).toMatchObject({ user: "deploy", autoUses: "bpf" });
  });

  it("when the interpreter runs neither way: only python3 fails, and root only when sudo itself refused", async () => {
    const noPython = { stderr: "bash: line 1: python3: command not found\n", exit: { code: 127, signal: null } };
    for (const [sudoAnswer, root] of [
      [{ stderr: "sudo: python3: command not found\n", exit: { code: 1, signal: null } }, { status: "skipped" }],
      [{ notFound: true }, { status: "fail", code: "no-sudo", detail: "not known to be root, and sudo is not installed" }],
    ] as const) {
      for (const plainAnswer of [{ notFound: true }, noPython]) {
        const { transport, started } = scripted((argv) => (isSudo(argv) ? sudoAnswer : plainAnswer));
        const report = await runDoctor(transport);
        expect(started).toHaveLength(2);
        expect(report).toMatchObject({ kernel: null, os: null, user: null, autoUses: "procfs" });
        const checks = Object.fromEntries(report.results.map((result) => [result.check, result]));
        expect(checks.python3).toMatchObject({ status: "fail", code: "no-python" });
        expect(checks.python3!.detail).toMatch(/^not found: .*python3/);
        expect(checks.python3!.fix).toMatch(/apt install python3.*--python/);
        expect(checks.root).toMatchObject(root);
        const others = report.results.filter((result) => result.check !== "python3" && result.check !== "root");
        expect(others.every((result) => result.status === "skipped")).toBe(true);
      }
    }
  });

  it("says so when the interpreter starts but ends without a line", async () => {
    const { transport } = scripted((argv) =>
      isSudo(argv)
        ? { stderr: "sudo: a password is required\n", exit: { code: 1, signal: null } }
        : { stderr: "SyntaxError: invalid syntax\n", exit: { code: 1, signal: null } },
    );
    const python = (await runDoctor(transport)).results.find((result) => result.check === "python3")!;
    expect(python).toMatchObject({ status: "fail", detail: "python3 is there but does not run: SyntaxError: invalid syntax (exit 1)" });
  });

  it("stands by the helper's error line, and refuses a malformed check line", async () => {
    const error = scripted(() => ({ stdout: '{"type":"error","code":"internal","message":"boom"}\n', exit: { code: 5, signal: null } }));
    await expect(runDoctor(error.transport)).rejects.toMatchObject({ exitCode: EXIT.helperFailure, message: "boom" });
    const malformed = scripted(() => ({ stdout: `${line(0).replace('"auto":"bpf"', '"auto":"maybe"')}` }));
    await expect(runDoctor(malformed.transport)).rejects.toMatchObject({ exitCode: EXIT.helperFailure, code: "malformed-line" });
    const silent = scripted(() => ({ stdout: "" }));
    await expect(runDoctor(silent.transport)).rejects.toMatchObject({ exitCode: EXIT.helperFailure, code: "no-check-line" });
  });
});
