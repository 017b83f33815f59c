// `rssdrift <pid> --backend bpf` and `--backend auto` with the REAL helper over the local
// transport, on a real process holding touched anonymous memory. Skipped, loudly, where the
// helper's bpf reader does not run (no BTF, bpf() refused, or a helper without --backend bpf).
import type { ChildProcess } from "node:child_process";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCommandLine } from "../../src/commands/command.js";
import type { ProcessContext } from "../../src/commands/context.js";
import { reportCommand } from "../../src/commands/report.js";
import { EXIT } from "../../src/errors.js";
import type { JsonReport } from "../../src/report/json.js";
import { bpfHere, startAnonTarget, warnIfNoBpf } from "../fixtures/bpf-here.js";

warnIfNoBpf("test/integration/bpf-report.test.ts (the real helper with --backend bpf)");

function capture(): { ctx: ProcessContext; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (chunk) => (out += chunk));
  stderr.on("data", (chunk) => (err += chunk));
  const ctx: ProcessContext = { stdin: new PassThrough(), stdout, stderr, env: {}, signal: new AbortController().signal };
  return { ctx, out: () => out, err: () => err };
}

describe.skipIf(!bpfHere.works)("the real helper's bpf reader through rssdrift <pid>", () => {
  let target: ChildProcess;
  beforeAll(async () => {
    target = await startAnonTarget(32);
  });
  afterAll(() => {
    target?.kill();
  });

  it("--backend bpf --json: the kernel's own counters, with how the bpf reader set itself up", async () => {
    const { ctx, out } = capture();
    expect(await runCommandLine(reportCommand, [String(target.pid), "--backend", "bpf", "--json"], ctx)).toBe(EXIT.ok);
    const report = JSON.parse(out()) as JsonReport;
    expect(report.backend).toEqual({ requested: "bpf", used: "bpf", skipped: [] });
    expect(report.hello).toMatchObject({ backend: "bpf", drgn: null, target: { pid: target.pid } });
    expect(["kallsyms", "runqueues", "none"]).toContain(report.hello.bpf!.per_cpu_offsets);
    const counters = report.sample.counters!;
    expect(counters).not.toBeNull();
    // an idle target: /proc/PID/status RssAnon (exact since v6.16) and the counters' exact sum agree;
    // /proc/PID/stat's rss is the cached count of file + anon + shmem
    const kbPerPage = report.hello.page_size / 1024;
    expect(counters.anon.exact * kbPerPage).toBe(report.sample.proc.status.RssAnon);
    expect(report.sample.proc.stat_rss).toBe(counters.file.cached + counters.anon.cached + counters.shmem.cached);
    expect(counters.anon.exact).toBeGreaterThanOrEqual((32 << 20) / report.hello.page_size);
    expect(report.analysis.estimate).toBe(false);
  });

  it("--backend auto picks bpf first and says nothing was skipped; the text names the reader", async () => {
    const json = capture();
    expect(await runCommandLine(reportCommand, [String(target.pid), "--json"], json.ctx)).toBe(EXIT.ok);
    expect((JSON.parse(json.out()) as JsonReport).backend).toEqual({ requested: "auto", used: "bpf", skipped: [] });
    expect(json.err()).not.toContain("not used");
    const text = capture();
    expect(await runCommandLine(reportCommand, [String(target.pid), "--no-color"], text.ctx)).toBe(EXIT.ok);
    expect(text.out()).toMatch(/^rssdrift · pid \d+ \(python3\) · bpf \(BTF, (per-CPU offsets|no per-CPU)/);
    expect(text.out()).not.toContain("ESTIMATE");
  });

  it("a pid that does not exist is one error with exit 3, under bpf as under auto", async () => {
    for (const backend of ["bpf", "auto"]) {
      const { ctx } = capture();
      const error = await runCommandLine(reportCommand, ["4194303", "--backend", backend], ctx).catch((err: unknown) => err);
      expect(error).toMatchObject({ exitCode: EXIT.targetGone, code: "no-such-pid" });
    }
  });
});
