// The procfs backend against real processes on this machine: no canned /proc files.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { afterEach, describe, expect, it } from "vitest";
import { analyse } from "../../src/analysis/analyse.js";
import { EXIT, type RssdriftError } from "../../src/errors.js";
import type { HelloLine, HelperLine, SampleLine } from "../../src/schema/helper-line.js";
import { openProcfsSource } from "../../src/sources/procfs-source.js";
import { localTransport } from "../../src/transports/local-transport.js";
import type { Transport } from "../../src/transports/transport.js";
import { explain } from "../../src/vocabulary/explanation.js";
import { startNamedProcess } from "../fixtures/hostile-process.js";

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
});

/** Starts python3 running `code`, waits for its first stdout line, and returns it with the child. */
async function startPython(code: string): Promise<{ child: ChildProcess; firstLine: string }> {
  const child = spawn("python3", ["-I", "-c", code], { stdio: ["pipe", "pipe", "inherit"] });
  children.push(child);
  const lines = createInterface({ input: child.stdout! });
  const [firstLine] = (await once(lines, "line")) as [string];
  return { child, firstLine };
}

async function collect(pid: number, count: number, transport: Transport = localTransport()): Promise<HelperLine[]> {
  const source = await openProcfsSource(transport, { pid, intervalMs: 50, count });
  const lines: HelperLine[] = [];
  for await (const line of source) lines.push(line);
  return lines;
}

async function failure(pid: number, transport?: Transport): Promise<RssdriftError> {
  try {
    await collect(pid, 1, transport);
  } catch (err) {
    return err as RssdriftError;
  }
  throw new Error("expected an error");
}

describe("procfs backend on real processes", () => {
  it("sees a process that touched 8 MiB of anonymous memory", async () => {
    const touched = 8 << 20;
    const { child } = await startPython(
      `import mmap,sys\nm=mmap.mmap(-1,${touched},flags=mmap.MAP_PRIVATE|mmap.MAP_ANONYMOUS)\nfor i in range(0,${touched},4096): m[i]=1\nprint('ready',flush=True)\nsys.stdin.read()`,
    );
    const lines = await collect(child.pid!, 2);
    const hello = lines[0] as HelloLine;
    expect(hello).toMatchObject({ type: "hello", backend: "procfs", era_source: "version", slot_kind: "none", drgn: null });
    expect(hello.target).toMatchObject({ pid: child.pid, comm: "python3", threads: 1 });
    expect(hello.cpus.online.length).toBeGreaterThan(0);
    const samples = lines.slice(1) as SampleLine[];
    expect(samples.map((s) => s.seq)).toEqual([0, 1]);
    for (const sample of samples) {
      expect(sample.counters).toBeNull();
      // smaps_rollup walks the page tables: the 8 MiB we touched are there
      expect(sample.proc.smaps_rollup!.Anonymous * 1024).toBeGreaterThanOrEqual(touched);
      expect(sample.proc.stat_rss * hello.page_size).toBeGreaterThan(touched / 2);
      expect(sample.proc.status.VmRSS).toBeGreaterThan(0);
    }
  });

  it("reads a process whose name holds newlines, parentheses or a forged delimiter, and keeps the name exact", {
    timeout: 30_000,
  }, async () => {
    // "\n@@rssdrift ok" forged a file boundary in the reader's old in-band delimiter (exit 5)
    for (const name of ["a\nb", "\n@@rssdrift ok", "x) Z 1 2 (y\n", "\u001b]0;PWNED\u0007", "\n\n\n"]) {
      const target = await startNamedProcess(name);
      children.push(target.child);
      const lines = await collect(target.pid, 1);
      const hello = lines[0] as HelloLine;
      expect(hello.target, JSON.stringify(name)).toMatchObject({ pid: target.pid, comm: target.comm, threads: 1 });
      expect((lines[1] as SampleLine).proc.status.VmRSS, JSON.stringify(name)).toBeGreaterThan(0);
    }
  });

  // each sample of a process that never holds still reads /proc five times: a loaded machine needs time
  it("never shows a torn read of a process that allocates all the time as drift", { timeout: 60_000 }, async () => {
    // maps 8 MiB, touches every page, unmaps, again: RSS changes between any two /proc reads
    const { child } = await startPython(
      "import mmap\nprint('ready',flush=True)\nwhile True:\n m=mmap.mmap(-1,8<<20)\n for i in range(0,8<<20,4096): m[i]=1\n m.close()",
    );
    const lines = await collect(child.pid!, 8);
    const hello = lines[0] as HelloLine;
    const samples = lines.slice(1) as SampleLine[];
    expect(samples).toHaveLength(8);
    for (const sample of samples) {
      const a = analyse(hello, sample);
      if (a.rss === null) {
        expect(sample.unstable).toBe(true);
        expect(explain(a, hello).join(" ")).toContain("the process changed while it was read; no estimate");
      } else {
        // an estimate that is given stays within what the kernel's caches can hold
        expect(Math.abs(a.rss.driftPages)).toBeLessThanOrEqual(a.bound.pagesForRss);
      }
    }
    // it never held still (always running or runnable), so no sample gave a number
    expect(samples.every((s) => s.unstable)).toBe(true);
  });

  it("gives an idle process a stable estimate", async () => {
    const { child } = await startPython(
      "import mmap,sys\nm=mmap.mmap(-1,4<<20)\nfor i in range(0,4<<20,4096): m[i]=1\nprint('ready',flush=True)\nsys.stdin.read()",
    );
    const lines = await collect(child.pid!, 3);
    const hello = lines[0] as HelloLine;
    const samples = lines.slice(1) as SampleLine[];
    for (const sample of samples) {
      expect(sample.unstable).toBeUndefined();
      const a = analyse(hello, sample);
      expect(a.rss).not.toBeNull();
      expect(Math.abs(a.rss!.driftPages)).toBeLessThanOrEqual(a.bound.pagesForRss);
    }
    // nothing moved, so every sample read the same numbers
    expect(new Set(samples.map((s) => JSON.stringify(s.proc))).size).toBe(1);
  });

  it("gives an idle multi-threaded process a stable estimate, and withholds it while one thread spins", { timeout: 30_000 }, async () => {
    // three threads wait on an event; on "spin\n" one of them starts to loop (mapping nothing)
    const { child } = await startPython(
      "import threading,sys\nev=threading.Event()\ngo=threading.Event()\n" +
        "def spin():\n go.wait()\n while True: pass\n" +
        "for t in [threading.Thread(target=ev.wait,daemon=True) for _ in range(2)]+[threading.Thread(target=spin,daemon=True)]: t.start()\n" +
        "print('ready',flush=True)\nsys.stdin.readline()\ngo.set()\nsys.stdin.read()",
    );
    const idle = (await collect(child.pid!, 2)).slice(1) as SampleLine[];
    for (const sample of idle) {
      expect(sample.threads).toBe(4);
      expect(sample.unstable).toBeUndefined();
    }
    child.stdin!.write("spin\n");
    // a running thread may be half way through a page-table change: no estimate while it runs
    const busy = (await collect(child.pid!, 2)).slice(1) as SampleLine[];
    for (const sample of busy) expect(sample.unstable).toBe(true);
  });

  it("refuses a thread id as the helper does", async () => {
    const { firstLine } = await startPython(
      "import threading,sys\nt=threading.Thread(target=sys.stdin.read,daemon=True)\nt.start()\nprint(t.native_id,flush=True)\nsys.stdin.read()",
    );
    const error = await failure(Number(firstLine));
    expect(error.code).toBe("bad-args");
    expect(error.exitCode).toBe(EXIT.badInput);
    expect(error.message).toMatch(/^pid \d+ is a thread of process \d+$/);
  });

  it("refuses a kernel thread (kthreadd, pid 2)", async () => {
    const error = await failure(2);
    expect(error.code).toBe("kernel-thread");
    expect(error.exitCode).toBe(EXIT.badInput);
  });

  it("refuses a pid that does not exist", async () => {
    const child = spawn("true");
    await once(child, "exit");
    const error = await failure(child.pid!);
    expect(error.code).toBe("no-such-pid");
    expect(error.exitCode).toBe(EXIT.targetGone);
  });

  it("refuses a zombie", async () => {
    // the parent forks a child that exits at once and is never reaped
    const { firstLine } = await startPython(
      "import os,sys,time\npid=os.fork()\nif pid==0: os._exit(0)\nprint(pid,flush=True)\nsys.stdin.read()",
    );
    const zombie = Number(firstLine);
    for (let tries = 0; tries < 100; tries++) {
      const error = await failure(zombie);
      if (error.code === "zombie") return expect(error.exitCode).toBe(EXIT.targetGone);
    }
    throw new Error(`pid ${zombie} never showed up as a zombie`);
  });

  it("says the target exited when it goes away mid-watch", async () => {
    const { child } = await startPython("import sys\nprint('ready',flush=True)\nsys.stdin.read()");
    const source = await openProcfsSource(localTransport(), { pid: child.pid!, intervalMs: 50 });
    const seen: HelperLine[] = [];
    let error: RssdriftError | undefined;
    try {
      for await (const line of source) {
        seen.push(line);
        if (line.type === "sample" && line.seq === 1) {
          child.kill("SIGKILL");
          await once(child, "exit");
        }
      }
    } catch (err) {
      error = err as RssdriftError;
    }
    expect(seen.filter((line) => line.type === "sample").length).toBeGreaterThanOrEqual(2);
    expect(error?.code).toMatch(/^(target-exited|zombie|no-such-pid)$/);
    expect(error?.exitCode).toBe(EXIT.targetGone);
  });
});

/**
 * Every command as `nobody`, optionally as root of a new user namespace (root there, nobody outside),
 * with the system's PATH: the helper's python3 must be one nobody can run (this one's may be in
 * root's home).
 */
function asNobody(userNamespace: boolean): Transport {
  const inner = localTransport();
  const prefix = [
    "setpriv",
    "--reuid=65534",
    "--regid=65534",
    "--clear-groups",
    "--",
    "env",
    "PATH=/usr/local/bin:/usr/bin:/bin",
    ...(userNamespace ? ["unshare", "-U", "-r", "--"] : []),
  ];
  return { where: "this machine", start: (argv) => inner.start([...prefix, ...argv]), close: () => inner.close() };
}

const NOBODY_USERNS = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--", "unshare", "-U", "-r", "--", "true"];
const canTest = process.getuid?.() === 0 && spawnSync(NOBODY_USERNS[0]!, NOBODY_USERNS.slice(1)).status === 0;

describe.skipIf(!canTest)("when smaps_rollup cannot be read, the reason (not 'run as root' to root)", () => {
  /** a process of another user (uid 1, daemon): sleep, since python3 may live where uid 1 cannot run it */
  async function othersProcess(): Promise<number> {
    const child = spawn("setpriv", ["--reuid=1", "--regid=1", "--clear-groups", "--", "sleep", "600"], { stdio: "ignore" });
    children.push(child);
    // setpriv execs sleep in place: wait until the pid shows sleep as uid 1
    for (let tries = 0; tries < 500; tries++) {
      const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
      if (/^Name:\tsleep$/m.test(status) && /^Uid:\t1\t/m.test(status)) return child.pid!;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error("setpriv did not start sleep as uid 1");
  }

  it("an ordinary user is told the process is another user's, and to run as root or its owner", async () => {
    const error = await failure(await othersProcess(), asNobody(false));
    expect(error.exitCode).toBe(EXIT.missingPrerequisite);
    expect(error.message).toMatch(/smaps_rollup on this machine: the process belongs to another user$/);
    expect(error.hint).toBe("run rssdrift as root or as the process's owner");
  });

  it("root that is refused (root of a user namespace, no CAP_SYS_PTRACE outside) is not told to run as root", async () => {
    const error = await failure(await othersProcess(), asNobody(true));
    expect(error.exitCode).toBe(EXIT.missingPrerequisite);
    expect(error.message).toMatch(/smaps_rollup on this machine even as root$/);
    expect(error.hint).not.toMatch(/run rssdrift as root/);
    expect(error.hint).toContain("another user namespace");
  });
});
