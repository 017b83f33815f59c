// Every Python rssdrift starts runs isolated (python3 -I): modules planted in the working
// directory, on PYTHONPATH or in the user's site-packages are never imported, though the helper
// runs as root. Each planted module writes a marker file when imported; the real helper
// (helpers/rss_stat.py through the bootstrap), sampling and in doctor's check mode (with the
// python3 it starts itself), is started on this machine (as root and as nobody) and through the real ssh2 loopback server
// (whose exec channels run `bash -c` in this process's directory and environment), with both
// interpreters here: python3 on the PATH (pyenv) and /usr/bin/python3.
import { chmodSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { DoctorReport } from "../../src/doctor/report.js";
import { runDoctor } from "../../src/doctor/run-doctor.js";
import { RssdriftError } from "../../src/errors.js";
import { openHelperSource } from "../../src/sources/helper-source.js";
import { DEFAULT_PYTHON } from "../../src/sources/python.js";
import { localTransport } from "../../src/transports/local-transport.js";
import { runCommand } from "../../src/transports/run-command.js";
import { defaultSshOptions } from "../../src/transports/ssh-options.js";
import { openSshTransport } from "../../src/transports/ssh-transport.js";
import type { Transport } from "../../src/transports/transport.js";
import { makeKey, removeDir, startTestServer, tempDir, writeSshConfig, type TestServer } from "./ssh/ssh-test-server.js";

/** the distribution's Python (where python3-drgn installs), besides the first python3 on the PATH */
const DISTRO_PYTHON = "/usr/bin/python3";

const isRoot = process.getuid?.() === 0;
/** What the helper and the probes import, plus what Python itself looks for at start-up. */
const PLANTED = ["json", "drgn", "ctypes", "argparse", "platform", "select", "elftools", "sitecustomize", "usercustomize"];
const HOSTILE_ENV = ["PYTHONPATH", "PYTHONSTARTUP", "PYTHONUSERBASE", "PYTHONINSPECT"] as const;

let dir: string;
let markers: string;
const saved: { cwd: string; env: Partial<Record<(typeof HOSTILE_ENV)[number], string>> } = { cwd: process.cwd(), env: {} };

/** A module that leaves a marker named after itself and where it was found, then says so. */
function plant(where: string, name: string, origin: string): void {
  const marker = join(markers, `${name}-from-${origin}`);
  writeFileSync(
    join(where, `${name}.py`),
    `open(${JSON.stringify(marker)}, "w").close()\nimport sys\nsys.stderr.write("PLANTED ${name} RAN\\n")\n__version__ = "0.0.31"\n`,
  );
}

function markersLeft(): string[] {
  return readdirSync(markers).sort();
}

beforeAll(() => {
  dir = tempDir("isolation");
  markers = join(dir, "markers");
  const cwd = join(dir, "checkout");
  const pythonPath = join(dir, "pythonpath");
  const userBase = join(dir, "userbase");
  const version = execFileSync(DEFAULT_PYTHON, ["-I", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], {
    encoding: "utf8",
  }).trim();
  const userSite = join(userBase, "lib", `python${version}`, "site-packages");
  for (const path of [markers, cwd, pythonPath, userSite]) mkdirSync(path, { recursive: true });
  for (const name of PLANTED) {
    plant(cwd, name, "cwd");
    plant(pythonPath, name, "pythonpath");
    plant(userSite, name, "usersite");
  }
  // a .pth line that starts with `import` is executed by site.py for each site-packages directory
  writeFileSync(
    join(userSite, "rssdrift-evil.pth"),
    `import os; open(${JSON.stringify(join(markers, "pth-from-usersite"))}, "w").close()\n`,
  );
  writeFileSync(join(dir, "startup.py"), `open(${JSON.stringify(join(markers, "startup"))}, "w").close()\n`);
  // nobody must be able to read the planted files and leave markers, or that run would prove nothing
  for (const path of [dir, cwd, pythonPath, userBase, join(userBase, "lib"), join(userBase, "lib", `python${version}`), userSite])
    chmodSync(path, 0o755);
  chmodSync(markers, 0o777);

  for (const name of HOSTILE_ENV) saved.env[name] = process.env[name];
  process.env.PYTHONPATH = pythonPath;
  process.env.PYTHONSTARTUP = join(dir, "startup.py");
  process.env.PYTHONUSERBASE = userBase;
  process.chdir(cwd); // the local transport and the SSH test server start commands here
});

// each test looks only at the markers left while it ran
beforeEach(() => {
  for (const marker of markersLeft()) rmSync(join(markers, marker));
});

afterAll(() => {
  process.chdir(saved.cwd);
  for (const name of HOSTILE_ENV) {
    if (saved.env[name] === undefined) delete process.env[name];
    else process.env[name] = saved.env[name];
  }
  removeDir(dir);
});

describe("the test's own planted modules", () => {
  it("are imported by a Python started without -I (so the checks below can fail)", async () => {
    const { exit, stderr } = await runCommand(localTransport(), [DEFAULT_PYTHON, "-c", "import json, drgn, ctypes"]);
    expect(exit.code).toBe(0);
    expect(stderr).toContain("PLANTED json RAN");
    // the first usercustomize on sys.path wins: PYTHONPATH's; the user site's .pth shows that one is read too
    expect(markersLeft()).toEqual(
      expect.arrayContaining(["json-from-cwd", "drgn-from-cwd", "ctypes-from-cwd", "sitecustomize-from-pythonpath", "pth-from-usersite"]),
    );
  });
});

/** Runs the real helper on this process; returns the helper's error (none is expected here). */
async function runHelper(transport: Transport, python: string): Promise<{ lines: string[]; error?: RssdriftError }> {
  const source = await openHelperSource(transport, { pid: process.pid, intervalMs: 1000, count: 1, smaps: false, sudo: false, python });
  const lines: string[] = [];
  try {
    for await (const line of source) lines.push(line.type);
    return { lines };
  } catch (error) {
    if (!(error instanceof RssdriftError)) throw error;
    return { lines, error };
  } finally {
    await source.close();
  }
}

/** The helper ran to its own verdict: a sample where drgn works, else its error line, never an import accident. */
function expectHelperRan(result: { lines: string[]; error?: RssdriftError }): void {
  if (result.error === undefined) expect(result.lines).toContain("sample");
  else expect(["no-kcore", "not-root", "lockdown", "no-drgn", "no-debug-info"]).toContain(result.error.code);
}

function byName(report: DoctorReport): Record<string, string> {
  return Object.fromEntries(report.results.map((result) => [result.check, result.status]));
}

/** Runs every command as nobody (setpriv drops uid, gid and groups). */
function asNobody(inner: Transport): Transport {
  return {
    where: "this machine as nobody",
    start: (argv) => inner.start(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--", ...argv]),
    close: () => inner.close(),
  };
}

/** The checks every transport gets: the helper sampling, and the helper checking (doctor). */
function isolationChecks(name: string, open: () => Transport | Promise<Transport>, pythons: string[]): void {
  describe(name, () => {
    for (const python of pythons) {
      it(`starts the real helper with ${python} -I: nothing planted is imported`, async () => {
        const transport = await open();
        const result = await runHelper(transport, python);
        expectHelperRan(result);
        expect(markersLeft()).toEqual([]);
      });

      // the check mode asks the distribution's python3 (-I too) whether it has drgn when this one has not
      it(`runs the helper's checks (doctor) with ${python} -I: nothing planted is imported, python3 is found`, async () => {
        const transport = await open();
        const report = await runDoctor(transport, { python });
        expect(byName(report).python3).toBe("ok"); // the checks did run in Python
        expect(byName(report).drgn).not.toBe("skipped");
        expect(markersLeft()).toEqual([]);
      });
    }
  });
}

// the doctor runs the helper's checks (bpf, apt-cache, a second python3) per target, some through the SSH server
describe.skipIf(!isRoot)("isolated Python", { timeout: 60_000 }, () => {
  isolationChecks("on this machine, as root", () => localTransport(), [DEFAULT_PYTHON, DISTRO_PYTHON]);
  // nobody cannot enter /root, where pyenv's python3 lives: the distribution's python3 it is
  isolationChecks("on this machine, as nobody", () => asNobody(localTransport()), [DISTRO_PYTHON]);

  describe("over SSH (the ssh2 loopback server runs bash -c in this directory and environment)", () => {
    let sshDir: string;
    let server: TestServer;
    const transports: Transport[] = [];
    beforeAll(async () => {
      sshDir = tempDir("isolation-ssh");
      const hostKey = makeKey(sshDir, "host_key");
      const userKey = makeKey(sshDir, "user_key");
      server = await startTestServer({ hostKey, authorizedKeys: [userKey] });
      const knownHosts = join(sshDir, "known_hosts");
      writeFileSync(knownHosts, `[127.0.0.1]:${server.port} ${hostKey.publicLine}\n`);
      writeSshConfig(join(sshDir, "config"), {
        srv: { HostName: "127.0.0.1", Port: server.port, User: "tester", IdentityFile: userKey.path, UserKnownHostsFile: knownHosts },
      });
    });
    afterAll(async () => {
      await Promise.all(transports.map((transport) => transport.close()));
      await server?.close();
      removeDir(sshDir);
    });

    isolationChecks("through exec channels", async () => {
      const options = { ...defaultSshOptions(), configFile: join(sshDir, "config") };
      const transport = await openSshTransport("srv", options, () => undefined, { home: sshDir, env: { PATH: process.env.PATH } });
      transports.push(transport);
      return transport;
    }, [DEFAULT_PYTHON, DISTRO_PYTHON]);

    it("runs its commands where the planted modules are found (a Python without -I imports them)", async () => {
      const options = { ...defaultSshOptions(), configFile: join(sshDir, "config") };
      const transport = await openSshTransport("srv", options, () => undefined, { home: sshDir, env: { PATH: process.env.PATH } });
      transports.push(transport);
      const { stderr } = await runCommand(transport, [DEFAULT_PYTHON, "-c", "import json"]);
      expect(stderr).toContain("PLANTED json RAN");
      expect(markersLeft()).toEqual(expect.arrayContaining(["json-from-cwd", "sitecustomize-from-pythonpath", "pth-from-usersite"]));
    });
  });
});
