"""Tests of helpers/rss_stat.py that need no drgn and no /proc/kcore: the /proc parsers on real
processes, the pure decisions (clamping, era, errors, control lines), the sampling loop with a
stand-in target, and the script itself as a subprocess (this machine has neither drgn nor
/proc/kcore, so it must end in one clear error line). The kernel paths are proven in the lab.

    python3 -m unittest discover -s helpers -p 'test_*.py'
"""

import base64
import json
import os
import re
import signal
import struct
import subprocess
import sys
import threading
import time
import unittest

import rss_stat
from rssdrift_helper import drgn_reader, era, hints, loop, protocol
from rssdrift_helper import proc as procfs
from schema_check import REPO, schema_errors, validator_missing

SCRIPT = os.path.join(REPO, "helpers", "rss_stat.py")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
DEADLINE_S = 30  # only so that a broken test cannot hang; nothing asserts on time


def drift_bound_pages():
    """The most one counter's cached value may lag on this machine (docs/how-rss-is-counted.md:
    N_online x (batch - 1), batch = max(32, 2 N)), for the three RSS counters together."""
    online = len(os.sched_getaffinity(0))
    return 3 * online * (max(32, 2 * online) - 1)


def wait_for_state(pid, wanted):
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        with open("/proc/%d/stat" % pid) as f:
            if procfs.parse_stat(f.read())["state"] == wanted:
                return
        time.sleep(0.01)
    raise AssertionError("pid %d never reached state %s" % (pid, wanted))


class IdleChild:
    """A real child process that maps some memory, writes a line when ready, and then sleeps.
    `comm` names it (a comm may hold spaces and parentheses)."""

    CODE = (
        "import mmap, sys, time\n"
        "open('/proc/self/comm', 'w').write(sys.argv[1])\n"
        "m = mmap.mmap(-1, 300 * mmap.PAGESIZE)\n"
        "for i in range(300): m[i * mmap.PAGESIZE] = 1\n"
        "print('ready', flush=True)\n"
        "time.sleep(600)\n"
    )

    def __init__(self, comm="idle-child"):
        self.process = subprocess.Popen([sys.executable, "-c", self.CODE, comm], stdout=subprocess.PIPE, text=True)
        assert self.process.stdout.readline() == "ready\n"
        self.pid = self.process.pid
        wait_for_state(self.pid, "S")  # asleep in time.sleep: its memory no longer changes

    def close(self):
        self.process.kill()
        self.process.wait()
        self.process.stdout.close()


class ProcParsingOnRealProcesses(unittest.TestCase):
    def setUp(self):
        self.child = IdleChild()
        self.addCleanup(self.child.close)

    def test_stat_matches_what_the_kernel_shows_elsewhere(self):
        with open("/proc/%d/stat" % self.child.pid) as f:
            stat = procfs.parse_stat(f.read())
        self.assertEqual(stat["pid"], self.child.pid)
        self.assertEqual(stat["comm"], "idle-child")
        self.assertEqual(stat["threads"], len(os.listdir("/proc/%d/task" % self.child.pid)))
        self.assertFalse(stat["flags"] & procfs.PF_KTHREAD)
        # it started after this test process did, and after boot (clock ticks since boot)
        with open("/proc/self/stat") as f:
            own_start = procfs.parse_stat(f.read())["start_time"]
        self.assertGreaterEqual(stat["start_time"], own_start)
        with open("/proc/uptime") as f:
            uptime_ticks = float(f.read().split()[0]) * os.sysconf("SC_CLK_TCK")
        self.assertLessEqual(stat["start_time"], uptime_ticks + 1)

    def test_read_proc_agrees_across_files(self):
        stat, proc = procfs.read_proc(self.child.pid, smaps=True)
        statm, status, rollup = proc["statm"], proc["status"], proc["smaps_rollup"]
        self.assertEqual(set(proc), {"statm", "status", "stat_rss", "smaps_rollup"})
        self.assertEqual(proc["stat_rss"], stat["rss"])
        # statm and status read the same counters: pages and kB of one thing (the child is idle)
        self.assertEqual(statm["resident"] * PAGE_KB, status["VmRSS"])
        self.assertEqual(status["VmRSS"], status["RssAnon"] + status["RssFile"] + status["RssShmem"])
        self.assertEqual(statm["shared"] * PAGE_KB, status["RssFile"] + status["RssShmem"])
        self.assertGreaterEqual(statm["size"], statm["resident"])
        self.assertGreaterEqual(status["VmHWM"], status["VmRSS"])
        # the child touched 300 anonymous pages; smaps_rollup walks the page tables (exact)
        self.assertGreaterEqual(rollup["Anonymous"], 300 * PAGE_KB)
        # stat field 24 is always the cached value; statm may be exact (v6.16+): they differ
        # by at most the drift bound, and smaps_rollup likewise
        bound = drift_bound_pages()
        self.assertLessEqual(abs(proc["stat_rss"] - statm["resident"]), bound)
        self.assertLessEqual(abs(rollup["Rss"] - status["VmRSS"]), bound * PAGE_KB)

    def test_smaps_rollup_only_when_asked(self):
        _, proc = procfs.read_proc(self.child.pid, smaps=False)
        self.assertIsNone(proc["smaps_rollup"])

    def test_a_comm_with_spaces_and_parentheses(self):
        odd = IdleChild(comm="a) b (c")
        self.addCleanup(odd.close)
        stat, _ = procfs.read_proc(odd.pid, smaps=False)
        self.assertEqual(stat["comm"], "a) b (c")
        self.assertEqual(stat["pid"], odd.pid)
        self.assertEqual(stat["threads"], 1)

    def test_read_proc_of_a_gone_process(self):
        self.child.close()
        with self.assertRaises(procfs.TargetGone):
            procfs.read_proc(self.child.pid, smaps=True)


class ProcParsingEdgeCases(unittest.TestCase):
    def test_stat_with_parentheses_and_spaces_in_comm(self):
        fields = ["S"] + [str(n) for n in range(4, 53)]  # field n holds the number n
        text = "4242 (x) (y z)) " + " ".join(fields) + "\n"
        stat = procfs.parse_stat(text)
        self.assertEqual(stat["comm"], "x) (y z)")
        self.assertEqual((stat["pid"], stat["state"], stat["flags"]), (4242, "S", 9))
        self.assertEqual((stat["threads"], stat["start_time"], stat["rss"]), (20, 22, 24))

    def test_status_field_absent_reads_zero(self):
        # a kernel thread's status has no Vm* or Rss* lines at all
        self.assertEqual(
            procfs.parse_kb_fields("Name:\tkthreadd\nState:\tS (sleeping)\n", procfs.STATUS_FIELDS),
            dict.fromkeys(procfs.STATUS_FIELDS, 0),
        )

    def test_status_field_name_must_match_exactly(self):
        text = "VmRSSx:\t 9 kB\nVmRSS:\t  1234 kB\nRssAnon:\t   10 kB\n"
        self.assertEqual(procfs.parse_kb_fields(text, ("VmRSS", "RssAnon")), {"VmRSS": 1234, "RssAnon": 10})


class Clamping(unittest.TestCase):
    def test_get_mm_counter_reads_negative_as_zero(self):
        self.assertEqual(protocol.cached_value(-17), 0)
        self.assertEqual(protocol.cached_value(0), 0)
        self.assertEqual(protocol.cached_value(224), 224)

    def test_counter_reading_keeps_the_raw_count(self):
        residue = [{"slot": 0, "pages": 20}, {"slot": 1, "pages": -3}]
        reading = protocol.counter_reading(-5, 12, residue)
        self.assertEqual(reading, {"count": -5, "cached": 0, "exact": 12, "residue": residue})

    def test_fault_around(self):
        self.assertEqual(protocol.fault_around_pages(None, 65536, 4096), 16)  # v6.1 default
        self.assertEqual(protocol.fault_around_pages(16, None, 4096), 16)  # v6.4+
        self.assertEqual(protocol.fault_around_pages(None, 65536, 65536), 1)  # 64 KiB pages
        self.assertIsNone(protocol.fault_around_pages(None, None, 4096))


def layout(name, is_array, tag, members, task_has_rss_stat=False):
    return era.RssStatLayout(name, is_array, tag, members, task_has_rss_stat)


class EraDecision(unittest.TestCase):
    def test_percpu_counter_array(self):
        found = layout("struct percpu_counter [4]", True, "percpu_counter", ["lock", "count", "list", "counters"])
        self.assertEqual(era.decide_era(found), ("percpu", "cpu"))

    def test_non_smp_percpu_counter_has_no_slots(self):
        found = layout("struct percpu_counter [4]", True, "percpu_counter", ["count"])
        self.assertEqual(era.decide_era(found), ("none", "none"))

    def test_split_rss_with_a_per_thread_cache(self):
        found = layout("struct mm_rss_stat", False, "mm_rss_stat", ["count"], task_has_rss_stat=True)
        self.assertEqual(era.decide_era(found), ("split-rss", "thread"))

    def test_split_rss_without_the_cache(self):
        found = layout("struct mm_rss_stat", False, "mm_rss_stat", ["count"], task_has_rss_stat=False)
        self.assertEqual(era.decide_era(found), ("none", "none"))

    def test_unknown_layout_names_the_type(self):
        for found in (
            layout("struct percpu_counter_tree [4]", True, "percpu_counter_tree", ["count"]),
            layout("atomic_long_t [4]", True, None, []),
        ):
            with self.subTest(found.name), self.assertRaises(protocol.HelperError) as caught:
                era.decide_era(found)
            self.assertEqual(caught.exception.code, "unsupported-layout")
            self.assertEqual(caught.exception.message, "unsupported layout: " + found.name)


class ControlCommands(unittest.TestCase):
    def test_valid_commands(self):
        self.assertEqual(loop.parse_control("sample"), ("sample",))
        self.assertEqual(loop.parse_control("pause\r"), ("pause",))
        self.assertEqual(loop.parse_control("  resume "), ("resume",))
        self.assertEqual(loop.parse_control("interval 250"), ("interval", 250))
        self.assertEqual(loop.parse_control("ping"), ("ping",))

    def test_invalid_commands(self):
        for line in (
            "",
            "interval",
            "interval 0",
            "interval -5",
            "interval 1.5",
            "interval 9 9",
            "samples",
            "SAMPLE",
            "interval 99999999999999999999",
            "interval 3600001",
            "interval \u00b2",
            "interval " + "9" * 5000,
        ):
            with self.subTest(line=line[:40]):
                self.assertIsNone(loop.parse_control(line))

    def test_interval_up_to_an_hour(self):
        self.assertEqual(loop.parse_control("interval 3600000"), ("interval", 3600000))


class ControlReaderOnAPipe(unittest.TestCase):
    """ControlReader reads fd 0: each test puts a real pipe there."""

    def setUp(self):
        self.saved = os.dup(0)
        read_end, self.write_end = os.pipe()
        os.dup2(read_end, 0)
        os.close(read_end)
        self.reader = loop.ControlReader()

    def tearDown(self):
        os.dup2(self.saved, 0)
        os.close(self.saved)
        if self.write_end is not None:
            os.close(self.write_end)

    def send(self, data):
        os.write(self.write_end, data)
        return self.reader.wait(1)

    def test_a_line_in_pieces(self):
        self.assertEqual(self.send(b"inter"), [])
        self.assertEqual(self.send(b"val 250\nsam"), [("interval", 250)])
        self.assertEqual(self.send(b"ple\n"), [("sample",)])

    def test_an_endless_line_is_bounded_and_dropped(self):
        for _ in range(64):  # 256 KiB without a newline
            self.assertEqual(self.send(b"x" * 4096), [])
            self.assertLessEqual(len(self.reader.pending), loop.ControlReader.LINE_MAX)
        # the rest of the overlong line goes with its newline; the next line counts again
        self.assertEqual(self.send(b"sample\nping\n"), [("ping",)])

    def test_a_huge_interval_is_ignored_not_fatal(self):
        self.assertEqual(self.send(b"interval 99999999999999999999\nping\n"), [("ping",)])

    def test_end_of_input(self):
        os.close(self.write_end)
        self.write_end = None
        self.assertIsNone(self.reader.wait(1))


class Arguments(unittest.TestCase):
    def test_defaults(self):
        options = rss_stat.parse_args(["--pid", "42"])
        self.assertEqual(
            (options.pid, options.interval, options.count, options.smaps, options.control), (42, 1000, 1, False, False)
        )
        self.assertIsNone(rss_stat.parse_args(["--pid", "42", "--control"]).count)  # until stdin ends

    def test_vmlinux_is_an_option_of_the_entry(self):
        self.assertIsNone(rss_stat.parse_args(["--pid", "42"]).vmlinux)
        self.assertEqual(
            rss_stat.parse_args(["--pid", "42", "--vmlinux", "/tmp/vmlinux-6.18"]).vmlinux, "/tmp/vmlinux-6.18"
        )

    def test_bad_arguments_are_one_error(self):
        for argv in ([], ["--pid", "x"], ["--pid", "0"], ["--pid", "1", "--interval", "0"], ["--pid", "1", "--bogus"]):
            with self.subTest(argv=argv), self.assertRaises(protocol.HelperError) as caught:
                rss_stat.parse_args(argv)
            self.assertEqual(caught.exception.code, "bad-args")
            self.assertIn("usage: rss_stat.py", caught.exception.hint)


class TargetChecks(unittest.TestCase):
    """check_target() on real processes: the cheap checks before drgn loads."""

    def assert_fails(self, pid, code):
        with self.assertRaises(protocol.HelperError) as caught:
            procfs.check_target(pid)
        self.assertEqual(caught.exception.code, code)
        return caught.exception

    def test_a_live_process(self):
        child = IdleChild()
        self.addCleanup(child.close)
        self.assertEqual(procfs.check_target(child.pid)["comm"], "idle-child")

    def test_no_such_pid(self):
        with open("/proc/sys/kernel/pid_max") as f:
            beyond = int(f.read()) + 1  # no pid can be this large
        self.assertIn(str(beyond), self.assert_fails(beyond, "no-such-pid").message)

    def test_kernel_thread(self):
        with open("/proc/2/stat") as f:
            if "(kthreadd)" not in f.read():
                self.skipTest("pid 2 is not kthreadd in this pid namespace")
        self.assertIn("kernel thread", self.assert_fails(2, "kernel-thread").message)

    def test_zombie(self):
        child = subprocess.Popen([sys.executable, "-c", "pass"])
        self.addCleanup(child.wait)
        wait_for_state(child.pid, "Z")  # exited, not reaped yet
        self.assertIn("zombie", self.assert_fails(child.pid, "zombie").message)

    def test_a_thread_id_points_to_its_process(self):
        started, done = threading.Event(), threading.Event()
        tids = []

        def thread():
            tids.append(threading.get_native_id())
            started.set()
            done.wait()

        worker = threading.Thread(target=thread)
        worker.start()
        self.addCleanup(worker.join)
        self.addCleanup(done.set)
        started.wait()
        error = self.assert_fails(tids[0], "bad-args")
        self.assertEqual(error.hint, "use the process's pid, %d: its threads share one memory" % os.getpid())

    def test_classify_from_the_kernel_side(self):
        classify = procfs.classify_target
        self.assertIsNone(classify(0, exit_state=0, has_mm=True))
        self.assertEqual(classify(0, exit_state=0x20, has_mm=False), "zombie")  # EXIT_ZOMBIE
        self.assertEqual(classify(procfs.PF_EXITING, exit_state=0, has_mm=False), "zombie")
        self.assertEqual(classify(0, exit_state=0, has_mm=False), "kernel-thread")
        # a kernel thread that borrowed a user mm (kthread_use_mm) is still a kernel thread
        self.assertEqual(classify(procfs.PF_KTHREAD, exit_state=0, has_mm=True), "kernel-thread")


class VmlinuxBuildId(unittest.TestCase):
    """--vmlinux is checked against the running kernel by GNU build ID before drgn sees it."""

    def test_notes_block(self):
        def note(name, kind, desc):
            return (
                struct.pack("<III", len(name), len(desc), kind)
                + name.ljust((len(name) + 3) & ~3, b"\0")
                + desc.ljust((len(desc) + 3) & ~3, b"\0")
            )

        blob = note(b"Xen\0", 3, b"\x01\x02") + note(b"GNU\0", 1, b"abcd") + note(b"GNU\0", 3, bytes(range(20)))
        self.assertEqual(drgn_reader.gnu_build_id(blob), bytes(range(20)).hex())
        self.assertIsNone(drgn_reader.gnu_build_id(note(b"GNU\0", 1, b"abcd")))

    def test_an_elf_files_build_id_is_readelfs(self):
        binary = os.path.realpath(sys.executable)
        try:
            shown = subprocess.run(["readelf", "-n", binary], capture_output=True, text=True, check=True).stdout
        except (OSError, subprocess.CalledProcessError):
            self.skipTest("needs readelf")
        match = re.search(r"Build ID: ([0-9a-f]+)", shown)
        self.assertEqual(drgn_reader.elf_build_id(binary), match.group(1) if match else None)

    def test_refuses_what_is_not_the_running_kernels(self):
        with self.assertRaises(protocol.HelperError) as not_elf:
            drgn_reader.check_vmlinux(SCRIPT)
        self.assertEqual(
            (not_elf.exception.code, not_elf.exception.message),
            ("no-debug-info", "--vmlinux %s: not an ELF file" % SCRIPT),
        )
        try:
            with open("/sys/kernel/notes", "rb") as f:
                running = drgn_reader.gnu_build_id(f.read())
        except OSError:
            running = None
        if running is None:
            self.skipTest("this kernel shows no build ID in /sys/kernel/notes")
        with self.assertRaises(protocol.HelperError) as other:
            drgn_reader.check_vmlinux(os.path.realpath(sys.executable))  # an ELF file, not this kernel
        self.assertIn("is not the running kernel's", other.exception.message)
        self.assertIn(running, other.exception.message)


class Lockdown(unittest.TestCase):
    def test_lockdown_mode(self):
        self.assertEqual(procfs.lockdown_mode("none integrity [confidentiality]\n"), "confidentiality")
        self.assertEqual(procfs.lockdown_mode("[none] integrity confidentiality\n"), "none")
        self.assertIsNone(procfs.lockdown_mode(""))


class ProtocolContract(unittest.TestCase):
    def test_error_line(self):
        self.assertEqual(
            protocol.error_line("no-kcore", "gone"), {"type": "error", "code": "no-kcore", "message": "gone"}
        )
        self.assertEqual(
            protocol.error_line("no-drgn", "m", "apt install python3-drgn")["hint"], "apt install python3-drgn"
        )

    def test_the_counters_read_are_the_ones_a_sample_carries(self):
        counters = protocol.PROTOCOL["helperLine"]["$defs"]["SampleLine"]["properties"]["counters"]["required"]
        self.assertEqual([name for name, _enumerator in protocol.COUNTER_ENUMERATORS], counters)


class MissingDrgn(unittest.TestCase):
    def test_import_fails_with_an_install_hint(self):
        try:
            import drgn  # noqa: F401
        except ImportError:
            pass
        else:
            self.skipTest("drgn is installed here")
        with self.assertRaises(protocol.HelperError) as caught:
            drgn_reader.require_drgn()
        self.assertEqual(caught.exception.code, "no-drgn")
        self.assertEqual(caught.exception.hint, hints.drgn_fix(sys.executable, sys.prefix != sys.base_prefix))
        self.assertIn("drgn", caught.exception.hint)


def expected_prerequisite_error():
    """What the script must report first on this machine, from the machine's own state."""
    if os.geteuid() != 0:
        return "not-root"
    if not os.path.exists("/proc/kcore"):
        return "no-kcore"
    return None


class ScriptAsASubprocess(unittest.TestCase):
    """The whole script, started the three ways it is started; it must end in one error line."""

    def setUp(self):
        self.expected = expected_prerequisite_error()
        if self.expected is None:
            self.skipTest("this machine has /proc/kcore: the lab tests cover it")

    def check_lines(self, result):
        self.assertEqual(result.stderr, "")  # never a traceback
        lines = result.stdout.splitlines()
        parsed = [json.loads(line) for line in lines]
        self.assertEqual(len(parsed), 1, lines)
        self.assertEqual(parsed[0]["type"], "error")
        self.assertEqual(parsed[0]["code"], self.expected)
        self.assertEqual(result.returncode, protocol.EXIT_STATUS[self.expected])
        problem = validator_missing()
        if problem:
            self.skipTest(problem)
        self.assertEqual(schema_errors(lines), [])

    def test_as_a_script(self):
        result = subprocess.run(
            [sys.executable, SCRIPT, "--pid", str(os.getpid()), "--smaps"],
            capture_output=True,
            text=True,
            timeout=DEADLINE_S,
            stdin=subprocess.DEVNULL,
        )
        self.check_lines(result)

    def test_through_the_bootstrap(self):
        """The exact argv and stdin of src/sources/helper-launch.ts, printed by its compiled code."""
        launcher = os.path.join(REPO, "dist", "src", "sources", "helper-launch.js")
        if validator_missing() or not os.path.exists(launcher):
            self.skipTest("needs node and the compiled helper-launch.js (npx tsc -p tsconfig.json)")
        printer = (
            'import { pathToFileURL } from "node:url";'
            "const m = await import(pathToFileURL(process.argv[1]).href);"
            "const argv = m.helperArgv({ pid: Number(process.argv[2]), intervalMs: 500, smaps: true, sudo: false });"
            'process.stdout.write(JSON.stringify({ argv, preamble: m.helperPreamble().toString("base64") }));'
        )
        launch = json.loads(
            subprocess.run(
                ["node", "--input-type=module", "-e", printer, launcher, str(os.getpid())],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        self.assertEqual(launch["argv"][:3], ["python3", "-I", "-c"])
        result = subprocess.run(
            [sys.executable] + launch["argv"][1:],
            input=base64.b64decode(launch["preamble"]),
            capture_output=True,
            timeout=DEADLINE_S,
        )
        self.check_lines(
            subprocess.CompletedProcess(result.args, result.returncode, result.stdout.decode(), result.stderr.decode())
        )

    def test_bad_arguments_come_first(self):
        result = subprocess.run(
            [sys.executable, SCRIPT, "--pid", "nope"], capture_output=True, text=True, timeout=DEADLINE_S
        )
        self.expected = "bad-args"
        self.check_lines(result)

    def test_a_missing_pid_comes_before_the_prerequisites(self):
        # this machine lacks /proc/kcore (and drgn), yet a wrong pid is what the user hears
        gone = subprocess.Popen(["true"])
        gone.wait()
        result = subprocess.run(
            [sys.executable, SCRIPT, "--pid", str(gone.pid)], capture_output=True, text=True, timeout=DEADLINE_S
        )
        self.expected = "no-such-pid"
        self.check_lines(result)


# The sampling loop, in a child process (it owns fd 0), with a stand-in target: the loop's
# logic is pure; the real target needs drgn and is exercised in the lab.
LOOP_CHILD = """
import sys, types
sys.path.insert(0, sys.argv[1])
from rssdrift_helper import loop

class StandInTarget:
    def sample(self, seq):
        return {"type": "sample", "seq": seq}

options = types.SimpleNamespace(control=True, count=int(sys.argv[2]) or None, interval=int(sys.argv[3]),
                                heartbeat=int(sys.argv[4]) or None)
loop.install_signal_handlers()
sys.exit(loop.run(StandInTarget(), options))
"""


class SamplingLoop(unittest.TestCase):
    def start(self, count=0, interval_ms=3_600_000, heartbeat_s=0):
        loop = subprocess.Popen(
            [sys.executable, "-c", LOOP_CHILD, os.path.dirname(SCRIPT), str(count), str(interval_ms), str(heartbeat_s)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.addCleanup(loop.__exit__, None, None, None)  # closes its pipes and reaps it
        self.addCleanup(loop.kill)
        return loop

    def next_seq(self, loop):
        line = loop.stdout.readline()
        if not line:
            self.fail("the loop ended early: %s" % loop.stderr.read())
        return json.loads(line)["seq"]

    def send(self, loop, text):
        loop.stdin.write(text)
        loop.stdin.flush()

    def finish(self, loop):
        loop.stdin.close()
        self.assertEqual(loop.wait(timeout=DEADLINE_S), 0)
        self.assertEqual(loop.stdout.read(), "")  # nothing after the last line we waited for
        self.assertEqual(loop.stderr.read(), "")

    def test_commands_and_eof(self):
        loop = self.start()  # the interval is an hour: every further sample below is asked for
        self.assertEqual(self.next_seq(loop), 0)  # the first sample comes at once
        self.send(loop, "sample\n")
        self.assertEqual(self.next_seq(loop), 1)
        self.send(loop, "bogus\ninterval 0\npause\nsam")  # ignored, ignored, paused, half a line
        self.send(loop, "ple\n")
        self.assertEqual(self.next_seq(loop), 2)  # "sample" works while paused
        self.send(loop, "resume\ninterval 1\n")  # now every millisecond
        self.assertEqual([self.next_seq(loop) for _ in range(3)], [3, 4, 5])
        self.send(loop, "pause\n")
        # stdin's end stops the loop at once, even while paused: the controller is gone
        loop.stdin.close()
        self.assertEqual(loop.wait(timeout=DEADLINE_S), 0)
        self.assertEqual(loop.stderr.read(), "")

    def test_count_ends_the_loop_while_stdin_stays_open(self):
        loop = self.start(count=2)
        self.assertEqual(self.next_seq(loop), 0)
        self.send(loop, "sample\n")
        self.assertEqual(self.next_seq(loop), 1)
        self.assertEqual(loop.wait(timeout=DEADLINE_S), 0)
        self.assertEqual(loop.stdout.read(), "")

    def test_eof_without_any_command(self):
        loop = self.start()
        self.assertEqual(self.next_seq(loop), 0)
        self.finish(loop)

    def test_a_silent_controller_ends_the_loop(self):
        # stdin stays open but nothing arrives: a link that died without closing
        loop = self.start(heartbeat_s=1)
        self.assertEqual(self.next_seq(loop), 0)
        self.send(loop, "ping\n")
        self.assertEqual(loop.wait(timeout=DEADLINE_S), 128 + signal.SIGALRM)
        self.assertEqual(loop.stderr.read(), "")

    def test_sigterm_is_quiet(self):
        loop = self.start()
        self.assertEqual(self.next_seq(loop), 0)
        loop.send_signal(signal.SIGTERM)
        self.assertEqual(loop.wait(timeout=DEADLINE_S), 128 + signal.SIGTERM)
        self.assertEqual(loop.stderr.read(), "")


if __name__ == "__main__":
    unittest.main()
