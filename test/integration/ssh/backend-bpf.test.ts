// --backend bpf and auto over --host, against a real ssh2 server on loopback: the helper goes over
// stdin exactly as it does locally (nothing written on the target), `--backend bpf` survives the
// remote shell's quoting, auto's order and reasons hold over SSH, and (where the helper's bpf
// reader runs on this machine) the real helper reads a real process through the SSH link.
import type { ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCommandLine } from "../../../src/commands/command.js";
import type { ProcessContext } from "../../../src/commands/context.js";
import { doctorCommand } from "../../../src/commands/doctor.js";
import { fleetCommand } from "../../../src/commands/fleet.js";
import { reportCommand } from "../../../src/commands/report.js";
import type { TargetOptions } from "../../../src/sources/target.js";
import { EXIT } from "../../../src/errors.js";
import type { JsonReport } from "../../../src/report/json.js";
import type { HelperLine } from "../../../src/schema/helper-line.js";
import { HELPER_SCRIPT_PATH } from "../../../src/sources/helper-launch.js";
import { openBackend } from "../../../src/sources/open-source.js";
import { defaultSshOptions } from "../../../src/transports/ssh-options.js";
import { openSshTransport } from "../../../src/transports/ssh-transport.js";
import { bpfHere, startAnonTarget, warnIfNoBpf } from "../../fixtures/bpf-here.js";
import { makeKey, removeDir, startTestServer, tempDir, writeSshConfig, type TestServer } from "./ssh-test-server.js";

let dir: string;
let server: TestServer;
let config: string;

beforeAll(async () => {
  dir = tempDir("ssh-backend-bpf");
  const hostKey = makeKey(dir, "host_key");
  const userKey = makeKey(dir, "user_key");
  server = await startTestServer({ hostKey, authorizedKeys: [userKey], env: { ARGV_DIR: dir } });
  const knownHosts = join(dir, "known_hosts");
  writeFileSync(knownHosts, `[127.0.0.1]:${server.port} ${hostKey.publicLine}\n`);
  const host = { HostName: "127.0.0.1", Port: server.port, User: "tester", IdentityFile: userKey.path, UserKnownHostsFile: knownHosts };
  // two names for the one server: fleet mode's two rows
  config = writeSshConfig(join(dir, "config"), { srv: host, srv2: host });
});
afterAll(async () => {
  await server?.close();
  removeDir(dir);
});

const environment = () => ({ home: dir, env: { PATH: process.env.PATH }, prompt: async () => "" });

/**
 * Picks its act by --backend: bpf has no BTF, drgn works (one hello, one sample). Each writes the
 * argv it got, as the remote side saw it after the shell, to $ARGV_DIR/<backend>.
 */
const noBtfThenDrgn = Buffer.from(`
import json, os, sys
a = sys.argv[1:]
backend = a[a.index("--backend") + 1] if "--backend" in a else "drgn"
open(os.path.join(os.environ["ARGV_DIR"], backend), "w").write(" ".join(a))
if "--backend" in a and a[a.index("--backend") + 1] == "bpf":
    print(json.dumps({"type": "error", "code": "no-btf", "message": "no /sys/kernel/btf/vmlinux on the target"}), flush=True)
    sys.exit(4)
counter = {"count": 1, "cached": 1, "exact": 2, "residue": [{"slot": 0, "pages": 1}]}
print(json.dumps({"type": "hello", "protocol": 1, "backend": "drgn", "kernel": "6.1.0-test", "drgn": "0.0.22",
  "page_size": 4096, "cpus": {"online": [0], "possible": [0]}, "batch": 32, "era": "percpu", "era_source": "type",
  "layout": "struct percpu_counter [4]", "slot_kind": "cpu", "fault_around_pages": 16,
  "target": {"pid": 42, "comm": "t", "start_time": 1, "threads": 1}, "interval_ms": 100, "smaps": False}), flush=True)
print(json.dumps({"type": "sample", "seq": 0, "mono_ms": 1, "threads": 1,
  "counters": {n: counter for n in ("file", "anon", "shmem", "swap")},
  "proc": {"statm": {"size": 1, "resident": 3, "shared": 2},
           "status": {"VmRSS": 12, "RssAnon": 4, "RssFile": 4, "RssShmem": 4, "VmSwap": 0, "VmHWM": 12},
           "stat_rss": 3, "smaps_rollup": None}, "read_us": 1}), flush=True)
`);

const target = (backend: TargetOptions["backend"], pid = 42): TargetOptions => ({
  pid,
  backend,
  intervalMs: 100,
  count: 1,
  smaps: false,
  host: "srv",
  ssh: { ...defaultSshOptions(), configFile: config },
});

describe("auto over SSH, with a scripted helper", () => {
  it("passes --backend bpf through the remote shell, skips bpf with its reason, and reads with drgn", async () => {
    server.commands.length = 0;
    const transport = await openSshTransport("srv", target("auto").ssh, () => undefined, environment());
    const notices: string[] = [];
    try {
      const source = await openBackend(transport, target("auto"), false, (line) => notices.push(line), noBtfThenDrgn);
      const lines: HelperLine[] = [];
      for await (const line of source) lines.push(line);
      expect(source.backend).toMatchObject({
        requested: "auto",
        used: "drgn",
        skipped: [{ backend: "bpf", code: "no-btf", reason: "no /sys/kernel/btf/vmlinux on the target" }],
      });
      expect(notices[0]).toMatch(/^bpf not used \(no-btf\): no \/sys\/kernel\/btf\/vmlinux on the target; fix: /);
      expect(lines.map((line) => line.type)).toEqual(["hello", "sample"]);
    } finally {
      await transport.close();
    }
    // two helpers started over the link: bpf with --backend bpf, then drgn without --backend (its default)
    expect(readFileSync(join(dir, "bpf"), "utf8")).toMatch(/^--pid 42 --interval 100 --control --heartbeat \d+ --backend bpf --count 1$/);
    expect(readFileSync(join(dir, "drgn"), "utf8")).toMatch(/^--pid 42 --interval 100 --control --heartbeat \d+ --count 1$/);
  });
});

describe("doctor over SSH", () => {
  // doctor runs the helper's check mode through the link (bpf and apt-cache in it): seconds on a loaded machine
  it("runs the real helper's bpf round trip through the link and says which backend auto uses", { timeout: 60_000 }, async () => {
    const stdout = new PassThrough();
    let out = "";
    stdout.on("data", (chunk) => (out += chunk));
    const ctx: ProcessContext = {
      stdin: new PassThrough(),
      stdout,
      stderr: new PassThrough(),
      env: {},
      signal: new AbortController().signal,
    };
    const code = await runCommandLine(doctorCommand, ["--host", "srv", "-F", config, "--no-color"], ctx);
    expect(out).toMatch(/^bpf backend \(tried first by --backend auto\)/m);
    if (bpfHere.works) {
      expect(code).toBe(EXIT.ok);
      expect(out).toMatch(/^✔ bpf\(\) +works: read its own counters with a BPF program; (per-CPU offsets from|no per-CPU offsets)/m);
      expect(out).toContain("--backend auto (the default) uses bpf there.");
    } else {
      // the helper's own refusal, on the line of the check it names, with a fix under it
      expect(out).toMatch(/^✘ bpf\(\) +(the helper's bpf reader failed|refused) \(/m);
    }
  });
});

warnIfNoBpf("test/integration/ssh/backend-bpf.test.ts, the real helper over SSH");

describe.skipIf(!bpfHere.works)("the real helper's bpf reader over SSH", () => {
  let anon: ChildProcess;
  beforeAll(async () => {
    anon = await startAnonTarget(16);
  });
  afterAll(() => {
    anon?.kill();
  });

  it("rssdrift <pid> --host srv --backend bpf --json reads the real counters through the link", async () => {
    const stdout = new PassThrough();
    let out = "";
    stdout.on("data", (chunk) => (out += chunk));
    const ctx: ProcessContext = {
      stdin: new PassThrough(),
      stdout,
      stderr: new PassThrough(),
      env: {},
      signal: new AbortController().signal,
    };
    server.commands.length = 0;
    const code = await runCommandLine(reportCommand, [String(anon.pid), "--host", "srv", "-F", config, "--backend", "bpf", "--json"], ctx);
    expect(code).toBe(EXIT.ok);
    const report = JSON.parse(out) as JsonReport;
    expect(report.backend).toEqual({ requested: "bpf", used: "bpf", skipped: [] });
    expect(report.hello).toMatchObject({ backend: "bpf", target: { pid: anon.pid } });
    expect(report.sample.counters!.anon.exact * (report.hello.page_size / 1024)).toBe(report.sample.proc.status.RssAnon);
    // the helper went over stdin: no command names a path to its files (the bootstrap is fixed text)
    expect(server.commands.length).toBeGreaterThan(0);
    expect(server.commands.join("\n")).not.toContain(HELPER_SCRIPT_PATH.replace(/rss_stat\.py$/, ""));
  });

  it("fleet mode with --backend bpf: one row per host, each read by bpf", async () => {
    const stdout = new PassThrough();
    let out = "";
    stdout.on("data", (chunk) => (out += chunk));
    const ctx: ProcessContext = {
      stdin: new PassThrough(),
      stdout,
      stderr: new PassThrough(),
      env: { PATH: process.env.PATH, HOME: dir },
      signal: new AbortController().signal,
    };
    const argv = [String(anon.pid), "--host", "srv", "--host", "srv2", "-F", config, "--backend", "bpf", "--json"];
    expect(await runCommandLine(fleetCommand, argv, ctx)).toBe(EXIT.ok);
    const rows = JSON.parse(out) as { host: string; ok: boolean; backend: string; report: JsonReport }[];
    expect(rows.map((row) => [row.host, row.ok, row.backend])).toEqual([
      ["srv", true, "bpf"],
      ["srv2", true, "bpf"],
    ]);
    for (const row of rows) expect(row.report.backend).toEqual({ requested: "bpf", used: "bpf", skipped: [] });
  });

  it("auto over SSH uses bpf and skips nothing", async () => {
    const transport = await openSshTransport("srv", target("auto").ssh, () => undefined, environment());
    try {
      const source = await openBackend(transport, target("auto", anon.pid!), false, () => undefined);
      const lines: HelperLine[] = [];
      for await (const line of source) lines.push(line);
      expect(source.backend).toEqual({ requested: "auto", used: "bpf", skipped: [] });
      expect(lines.find((line) => line.type === "hello")).toMatchObject({ backend: "bpf" });
    } finally {
      await transport.close();
    }
  });
});
