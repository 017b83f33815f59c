"""Live tests of the bpf backend on this machine's own kernel: real targets (threads pinned with
sched_setaffinity, pages touched on chosen CPUs), the real helper as a subprocess, and what the
kernel shows in /proc as the yardstick. Expected numbers come from /proc or from what the test
did to the target, never from the code under test.

They need root and a kernel that permits bpf(); elsewhere they SKIP and say why on stderr.

    python3 -m unittest discover -s helpers -p 'test_*.py'
"""

import base64
import ctypes
import json
import os
import re
import struct
import subprocess
import sys
import threading
import unittest

from rssdrift_helper import bpf_reader, proc
from rssdrift_helper.protocol import EXIT_STATUS, HelperError
from schema_check import REPO, schema_errors, validator_missing

SCRIPT = os.path.join(REPO, "helpers", "rss_stat.py")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
PAGE_KB = PAGE_SIZE // 1024
DEADLINE_S = 60  # only so that a broken test cannot hang; nothing asserts on time
CPUS = sorted(os.sched_getaffinity(0))
# errors that mean "this machine cannot run the bpf backend", not "the backend is broken"
ENVIRONMENT_CODES = ("not-root", "bpf-refused", "no-btf", "unsupported-arch", "lockdown")

SKIP_REASON = None


def helper(*args, **kwargs):
    """Runs the helper -> (exit status, parsed lines, stderr)."""
    result = subprocess.run(
        [sys.executable, "-I", SCRIPT, *args],
        capture_output=True,
        text=True,
        timeout=DEADLINE_S,
        stdin=subprocess.DEVNULL,
        **kwargs
    )
    return result.returncode, [json.loads(line) for line in result.stdout.splitlines()], result.stderr


def setUpModule():
    global SKIP_REASON
    if os.geteuid() != 0:
        SKIP_REASON = "not root (euid %d): the bpf backend's live tests need root" % os.geteuid()
    else:
        status, lines, stderr = helper("--pid", "self", "--backend", "bpf")
        last = lines[-1] if lines else {"type": "error", "code": "internal", "message": stderr}
        if last["type"] == "error" and last["code"] in ENVIRONMENT_CODES:
            SKIP_REASON = "the bpf backend cannot run here: %s: %s" % (last["code"], last["message"])
    if SKIP_REASON:
        sys.stderr.write("\n*** SKIPPING THE LIVE BPF TESTS: %s ***\n" % SKIP_REASON)


class LiveTestCase(unittest.TestCase):
    def setUp(self):
        if SKIP_REASON:
            self.skipTest(SKIP_REASON)


def kernel_at_least(major, minor):
    found = re.match(r"(\d+)\.(\d+)", os.uname().release)
    return (int(found.group(1)), int(found.group(2))) >= (major, minor)


# A target: its main thread pinned to the first CPU, one worker thread per CPU in argv[1] pinned
# there, each touching argv[2] pages of its own private anonymous mapping (mmap(-1)'s default,
# MAP_SHARED, would count as shmem); then each worker touches one more page for every byte that
# arrives on its pipe (fd from argv[3 + i]) and answers on stdout.
TARGET = r"""
import mmap, os, sys, threading
cpus = [int(c) for c in sys.argv[1].split(",")]
pages = int(sys.argv[2])
os.sched_setaffinity(0, {cpus[0]})
ready = threading.Barrier(len(cpus) + 1)

def worker(cpu, fd):
    os.sched_setaffinity(0, {cpu})
    area = mmap.mmap(-1, (pages + 4096) * mmap.PAGESIZE, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    for i in range(pages):
        area[i * mmap.PAGESIZE] = 1
    os.write(1, b"tid %d %d\n" % (cpu, threading.get_native_id()))  # one write: threads print at once
    ready.wait()
    touched = pages
    while os.read(fd, 1):
        area[touched * mmap.PAGESIZE] = 1
        touched += 1
        os.write(1, b"k")

fds = [int(fd) for fd in sys.argv[3:]]
threads = [threading.Thread(target=worker, args=(cpu, fd)) for cpu, fd in zip(cpus, fds)]
for thread in threads:
    thread.start()
ready.wait()
print("ready", flush=True)
for thread in threads:
    thread.join()
"""


class Target:
    """A TARGET process; touch(cpu) makes the worker on that CPU fault one more page."""

    def __init__(self, cpus, pages):
        self.pipes = {cpu: os.pipe() for cpu in cpus}
        readers = [self.pipes[cpu][0] for cpu in cpus]
        self.process = subprocess.Popen(
            [sys.executable, "-c", TARGET, ",".join(map(str, cpus)), str(pages)] + [str(fd) for fd in readers],
            stdout=subprocess.PIPE,
            pass_fds=readers,
        )
        for fd in readers:
            os.close(fd)
        self.pid = self.process.pid
        self.tids = {}
        while True:
            line = self.process.stdout.readline().decode()
            if line.startswith("tid "):
                cpu, tid = map(int, line.split()[1:])
                self.tids[cpu] = tid
            elif line == "ready\n":
                break
            else:
                raise AssertionError("the target said %r" % line)

    def touch(self, cpu):
        os.write(self.pipes[cpu][1], b"t")
        assert self.process.stdout.read(1) == b"k"

    def close(self):
        if self.process.returncode is not None:
            return
        for _, writer in self.pipes.values():
            os.close(writer)
        self.process.kill()
        self.process.wait()
        self.process.stdout.close()


def start_target(test, cpus, pages):
    target = Target(cpus, pages)
    test.addCleanup(target.close)
    return target


class ReadsAgreeWithProc(LiveTestCase):
    """An idle target with a thread pinned to each CPU: the bpf reading against /proc."""

    def test_exact_count_and_slots(self):
        target = start_target(self, CPUS, 300)
        status, lines, stderr = helper("--pid", str(target.pid), "--backend", "bpf", "--smaps")
        self.assertEqual((status, stderr), (0, ""), lines)
        hello, sample = lines[-2], lines[-1]
        self.assertEqual([line["type"] for line in lines], ["progress", "progress", "hello", "sample"])
        self.assertEqual((hello["backend"], hello["drgn"], hello["era_source"]), ("bpf", None, "type"))
        self.assertEqual(hello["kernel"], os.uname().release)
        self.assertEqual(hello["target"]["threads"], len(CPUS) + 1)
        self.assertEqual(hello["cpus"]["online"], proc.read_cpu_list("online"))
        if hello["era"] == "percpu":
            self.assertEqual((hello["slot_kind"], hello["layout"]), ("cpu", "struct percpu_counter [4]"))
        self.assertEqual(set(hello["bpf"]), {"per_cpu_offsets", "insns", "btf_ms", "load_ms"})
        counters, proc_ = sample["counters"], sample["proc"]
        # smaps_rollup walks the page tables: the exact number of anonymous pages
        self.assertEqual(counters["anon"]["exact"], proc_["smaps_rollup"]["Anonymous"] // PAGE_KB)
        self.assertGreaterEqual(counters["anon"]["exact"], 300 * len(CPUS))
        # stat's rss is the cached sum, always
        self.assertEqual(sum(counters[name]["cached"] for name in ("file", "anon", "shmem")), proc_["stat_rss"])
        if kernel_at_least(6, 16):  # status and statm read the exact values since 82241a83cd15
            self.assertEqual(counters["anon"]["exact"], proc_["status"]["RssAnon"] // PAGE_KB)
            self.assertEqual(counters["file"]["exact"], proc_["status"]["RssFile"] // PAGE_KB)
            self.assertEqual(
                sum(counters[name]["exact"] for name in ("file", "anon", "shmem")), proc_["statm"]["resident"]
            )
        for name, reading in counters.items():
            self.assertEqual([slot["slot"] for slot in reading["residue"]], hello["cpus"]["online"], name)
            self.assertTrue(all(abs(slot["pages"]) < hello["batch"] for slot in reading["residue"]), name)
        problem = validator_missing()
        if problem:
            self.skipTest(problem)
        self.assertEqual(schema_errors([json.dumps(line) for line in lines]), [])


class SlotClimbsAndFolds(LiveTestCase):
    """One page at a time on one CPU: that CPU's anon slot climbs by each page and folds into the
    count when it would reach the batch (lib/percpu_counter.c, percpu_counter_add_batch)."""

    def test_a_slot_folds_at_the_batch(self):
        cpu = CPUS[-1]
        target = start_target(self, [cpu], 10)
        watcher = subprocess.Popen(
            [
                sys.executable,
                "-I",
                SCRIPT,
                "--pid",
                str(target.pid),
                "--backend",
                "bpf",
                "--control",
                "--interval",
                "3600000",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.addCleanup(watcher.stdout.close)
        self.addCleanup(watcher.wait)
        self.addCleanup(watcher.stdin.close)

        def reading():
            line = json.loads(watcher.stdout.readline())
            self.assertEqual(line["type"], "sample", line)
            anon = line["counters"]["anon"]
            slot = next(s["pages"] for s in anon["residue"] if s["slot"] == cpu)
            return anon["count"], slot, anon["exact"], line["proc"]["status"]["RssAnon"] // PAGE_KB

        lines = [json.loads(watcher.stdout.readline()) for _ in range(3)]
        hello = lines[-1]
        self.assertEqual(hello["type"], "hello", lines)
        if hello["era"] != "percpu":
            self.skipTest("era %s has no per-CPU slots" % hello["era"])
        batch = hello["batch"]
        before = reading()  # the first sample comes at once
        folds = 0
        for _ in range(batch + 8):
            target.touch(cpu)
            watcher.stdin.write("sample\n")
            watcher.stdin.flush()
            after = reading()
            (count0, slot0, exact0, _), (count1, slot1, exact1, status1) = before, after
            delta = exact1 - exact0
            self.assertGreaterEqual(delta, 1)  # the page touched, and rarely an allocation of Python's
            if kernel_at_least(6, 16):
                self.assertEqual(exact1, status1)
            if count1 == count0:
                self.assertEqual(slot1 - slot0, delta, "the page landed in CPU %d's slot" % cpu)
                self.assertLess(slot1, batch)
            else:
                folds += 1
                self.assertGreaterEqual(slot0 + delta, batch, "a fold happens only when the slot reaches the batch")
                self.assertEqual(count1 - count0, slot0 + delta - slot1)
            before = after
        self.assertGreaterEqual(folds, 1, "batch + 8 pages on one CPU must fold at least once")


class PidNamespaces(LiveTestCase):
    def test_a_pid_seen_inside_a_new_pid_namespace(self):
        # sh is pid 1 in the new namespace and the target pid 2, which outside is kthreadd: a
        # lookup in the wrong namespace would find a kernel thread
        script = (
            "%s -c \"import mmap,time; m=mmap.mmap(-1, 200*4096, flags=mmap.MAP_PRIVATE|mmap.MAP_ANONYMOUS); m.write(b'x'*200*4096); time.sleep(600)\" & "  # noqa: E501 (a program or file as one string)
            "sleep 1; %s -I %s --pid $! --backend bpf --smaps; status=$?; kill $!; exit $status"
            % (sys.executable, sys.executable, SCRIPT)
        )
        result = subprocess.run(
            ["unshare", "--pid", "--fork", "--mount-proc", "sh", "-c", script],
            capture_output=True,
            text=True,
            timeout=DEADLINE_S,
        )
        self.assertEqual((result.returncode, result.stderr), (0, ""), result.stdout)
        lines = [json.loads(line) for line in result.stdout.splitlines()]
        hello, sample = lines[-2], lines[-1]
        self.assertEqual((hello["target"]["pid"], hello["target"]["comm"]), (2, os.path.basename(sys.executable)[:15]))
        anon = sample["counters"]["anon"]
        self.assertEqual(anon["exact"], sample["proc"]["smaps_rollup"]["Anonymous"] // PAGE_KB)
        self.assertGreaterEqual(anon["exact"], 200)


class BadTargets(LiveTestCase):
    """Each bad target, through the script (whose /proc check answers first) and through the
    bpf reader itself (the program's own lookup and checks)."""

    def assert_script_fails(self, pid, code):
        status, lines, stderr = helper("--pid", str(pid), "--backend", "bpf")
        self.assertEqual((status, stderr, len(lines)), (EXIT_STATUS[code], "", 1), lines)
        self.assertEqual(lines[0]["code"], code)

    def assert_reader_fails(self, pid, code):
        with self.assertRaises(HelperError) as caught:
            bpf_reader.BpfReader(pid, "comm")
        self.assertEqual(caught.exception.code, code, caught.exception.message)
        return caught.exception

    def test_no_such_pid(self):
        with open("/proc/sys/kernel/pid_max") as f:
            beyond = int(f.read()) + 1
        self.assert_script_fails(beyond, "no-such-pid")
        self.assert_reader_fails(beyond, "no-such-pid")
        gone = subprocess.Popen(["true"])
        gone.wait()
        self.assert_reader_fails(gone.pid, "no-such-pid")

    def test_kernel_thread(self):
        with open("/proc/2/stat") as f:
            if "(kthreadd)" not in f.read():
                self.skipTest("pid 2 is not kthreadd in this pid namespace")
        self.assert_script_fails(2, "kernel-thread")
        self.assertIn("kernel thread", self.assert_reader_fails(2, "kernel-thread").message)

    def test_zombie(self):
        child = subprocess.Popen([sys.executable, "-c", "pass"])
        self.addCleanup(child.wait)
        while proc.parse_stat(proc.read_proc_file(child.pid, "stat"))["state"] != "Z":
            os.sched_yield()
        self.assert_script_fails(child.pid, "zombie")
        self.assert_reader_fails(child.pid, "zombie")

    def test_a_thread_id(self):
        started, done = threading.Event(), threading.Event()
        tids = []
        worker = threading.Thread(target=lambda: (tids.append(threading.get_native_id()), started.set(), done.wait()))
        worker.start()
        self.addCleanup(worker.join)
        self.addCleanup(done.set)
        started.wait()
        self.assert_script_fails(tids[0], "bad-args")
        self.assertIn("is a thread, not a process", self.assert_reader_fails(tids[0], "bad-args").message)

    def test_a_target_that_exits_while_watched(self):
        target = start_target(self, CPUS[:1], 10)
        watcher = subprocess.Popen(
            [
                sys.executable,
                "-I",
                SCRIPT,
                "--pid",
                str(target.pid),
                "--backend",
                "bpf",
                "--control",
                "--interval",
                "3600000",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.addCleanup(watcher.stdout.close)
        lines = [json.loads(watcher.stdout.readline()) for _ in range(4)]
        self.assertEqual(lines[-1]["type"], "sample", lines)
        target.close()
        watcher.stdin.write("sample\n")
        watcher.stdin.close()
        self.assertEqual(json.loads(watcher.stdout.readline())["code"], "target-exited")
        self.assertEqual(watcher.wait(timeout=DEADLINE_S), EXIT_STATUS["target-exited"])


SYSTEM_PYTHON = "/usr/bin/python3"


def launch_through_bootstrap(args):
    """(argv after "python3", the stdin preamble) exactly as src/sources/helper-launch.ts builds them
    (its compiled code), or None without node or dist/."""
    launcher = os.path.join(REPO, "dist", "src", "sources", "helper-launch.js")
    if validator_missing() or not os.path.exists(launcher):
        return None
    printer = (
        'import { pathToFileURL } from "node:url";'
        "const m = await import(pathToFileURL(process.argv[1]).href);"
        'process.stdout.write(JSON.stringify({ bootstrap: m.BOOTSTRAP, preamble: m.helperPreamble().toString("base64") }));'  # noqa: E501 (a program or file as one string)
    )
    out = json.loads(
        subprocess.run(
            ["node", "--input-type=module", "-e", printer, launcher], capture_output=True, text=True, check=True
        ).stdout
    )
    return ["python3", "-c", out["bootstrap"]] + list(args), base64.b64decode(out["preamble"])


def deny_bpf_with_seccomp():
    """preexec_fn: a seccomp filter that makes bpf() fail with EPERM, as container runtimes do."""
    number = bpf_reader.syscall_number()
    # classic BPF: A = seccomp_data.nr; if A == bpf return ERRNO(EPERM) else ALLOW
    program = [(0x20, 0, 0, 0), (0x15, 0, 1, number), (0x06, 0, 0, 0x00050000 | 1), (0x06, 0, 0, 0x7FFF0000)]
    filters = b"".join(struct.pack("<HBBI", *insn) for insn in program)
    buffer = ctypes.create_string_buffer(filters)
    fprog = struct.pack("<HxxxxxxQ", len(program), ctypes.addressof(buffer))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(38, 1, 0, 0, 0) or libc.prctl(22, 2, ctypes.c_char_p(fprog), 0, 0):  # NO_NEW_PRIVS, SECCOMP
        os._exit(99)


class Refusals(LiveTestCase):
    def test_bpf_blocked_by_seccomp(self):
        status, lines, stderr = helper("--pid", "self", "--backend", "bpf", preexec_fn=deny_bpf_with_seccomp)
        self.assertEqual((status, stderr, len(lines)), (EXIT_STATUS["bpf-refused"], "", 3), lines)
        self.assertEqual(lines[-1]["code"], "bpf-refused")
        self.assertIn("seccomp", lines[-1]["hint"])
        self.assertIn("Operation not permitted", lines[-1]["message"])

    def test_not_root(self):
        # as nobody, through the bootstrap (the checkout under /root is not readable to nobody)
        launch = launch_through_bootstrap(["--pid", "self", "--backend", "bpf"])
        if launch is None or not os.path.exists(SYSTEM_PYTHON):
            self.skipTest("needs node, the compiled helper-launch.js and %s" % SYSTEM_PYTHON)
        argv, preamble = launch
        result = subprocess.run(
            [SYSTEM_PYTHON, "-I"] + argv[1:],
            input=preamble,
            capture_output=True,
            timeout=DEADLINE_S,
            user=65534,
            group=65534,
            extra_groups=[],
            cwd="/",
        )
        status, stderr = result.returncode, result.stderr.decode()
        lines = [json.loads(line) for line in result.stdout.splitlines()]
        self.assertEqual((status, stderr), (EXIT_STATUS["not-root"], ""), lines)
        self.assertEqual(lines[-1]["code"], "not-root")
        self.assertIn("CAP_BPF", lines[-1]["hint"])


if __name__ == "__main__":
    unittest.main()
