"""Tests of the procfs backend (rssdrift_helper/procfs_reader.py): the pure decisions (era guess,
when two rounds agree, how many rounds a sample reads, why a file could not be read), the reader
on real processes of this machine, and the script run with --backend procfs.

    python3 -m unittest discover -s helpers -p 'test_*.py'
"""

import base64
import json
import os
import subprocess
import sys
import time
import unittest
from unittest import mock

from rssdrift_helper import proc, procfs_reader, protocol
from rssdrift_helper.procfs_reader import MAX_ROUNDS, ProcfsTarget, Round, agree, settle
from schema_check import REPO, schema_errors, validator_missing
from test_rss_stat import DEADLINE_S, PAGE_KB, SCRIPT, IdleChild, wait_for_state


def node_module(relative):
    """The path of the compiled TypeScript module dist/RELATIVE, or None when node or it is missing."""
    path = os.path.join(REPO, "dist", relative)
    if validator_missing() or not os.path.exists(path):
        return None
    return path


class EraFromRelease(unittest.TestCase):
    RELEASES = (
        "6.12.107+deb13-cloud-amd64",
        "6.1.0-37-amd64",
        "6.2.0",
        "6.2",
        "5.15.0-113-generic",
        "7.0-rc1",
        "4.19.0",
        "10.0.1",
        "3.10.0-1160.el7.x86_64",
        "6",
        "",
        "foo-6.12",
        "6.\u0661",
        "\u0666.12",
    )

    def test_v6_2_made_the_counters_per_cpu(self):
        guess = procfs_reader.era_from_release
        self.assertEqual(
            [guess(r) for r in ("6.2.0", "6.12.107+deb13-cloud-amd64", "7.0-rc1", "10.0.1")], ["percpu"] * 4
        )
        self.assertEqual([guess(r) for r in ("6.1.0-37-amd64", "5.15.0-113-generic", "2.6.34")], ["split-rss"] * 3)
        # only ASCII digits at the start make a version
        self.assertEqual([guess(r) for r in ("", "6", "foo-6.12", "\u0666.12")], ["unknown"] * 4)

    def test_the_same_guess_as_the_typescript_side(self):
        """src/analysis/era-guess.ts guesses for doctor and `rssdrift bound`: both must agree."""
        compiled = node_module(os.path.join("src", "analysis", "era-guess.js"))
        if compiled is None:
            self.skipTest("needs node and the compiled era-guess.js (npx tsc -p tsconfig.json)")
        printer = (
            'import { pathToFileURL } from "node:url";'
            "const m = await import(pathToFileURL(process.argv[1]).href);"
            "process.stdout.write(JSON.stringify(JSON.parse(process.argv[2]).map(m.eraFromRelease)));"
        )
        guessed = json.loads(
            subprocess.run(
                ["node", "--input-type=module", "-e", printer, compiled, json.dumps(self.RELEASES)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        self.assertEqual([procfs_reader.era_from_release(r) for r in self.RELEASES], guessed)


class StatFaults(unittest.TestCase):
    def test_fault_counts_are_fields_10_and_12(self):
        fields = ["S"] + [str(n) for n in range(4, 53)]  # field n holds the number n
        stat = proc.parse_stat("4242 (a) b) " + " ".join(fields) + "\n")
        self.assertEqual((stat["minor_faults"], stat["major_faults"]), (10, 12))


def a_round(
    threads=1, faults=(100, 0), still=True, rss=50, resident=50, shared=20, size=900, vm_rss=200, smaps_rss=204
):
    status = dict.fromkeys(proc.STATUS_FIELDS, 0)
    status["VmRSS"] = vm_rss
    return Round(
        threads,
        faults,
        still,
        {
            "statm": {"size": size, "resident": resident, "shared": shared},
            "status": status,
            "stat_rss": rss,
            "smaps_rollup": {"Rss": smaps_rss, "Anonymous": 0},
        },
    )


class Agreement(unittest.TestCase):
    def test_the_same_figures_with_every_thread_still(self):
        self.assertTrue(agree(a_round(), a_round()))

    def test_any_rss_figure_that_moved(self):
        for changed in (
            {"rss": 51},
            {"resident": 51},
            {"shared": 21},
            {"vm_rss": 204},
            {"smaps_rss": 208},
            {"threads": 2},
        ):
            with self.subTest(changed):
                self.assertFalse(agree(a_round(), a_round(**changed)))

    def test_a_page_fault_in_between_even_when_rss_came_back(self):
        # an allocator in a loop, in step with the rounds, shows the same RSS but more faults
        self.assertFalse(agree(a_round(faults=(100, 0)), a_round(faults=(356, 0))))
        self.assertFalse(agree(a_round(faults=(100, 0)), a_round(faults=(100, 1))))

    def test_a_thread_that_was_not_still_in_either_round(self):
        self.assertFalse(agree(a_round(still=False), a_round()))
        self.assertFalse(agree(a_round(), a_round(still=False)))

    def test_the_virtual_size_is_not_an_rss_figure(self):
        self.assertTrue(agree(a_round(size=900), a_round(size=1800)))


class Settling(unittest.TestCase):
    """settle() with scripted rounds: how many it reads, and which one makes the sample."""

    def settle(self, rounds):
        script = iter(rounds)
        read = []

        def read_round():
            read.append(next(script))
            return read[-1]

        chosen, agreed = settle(read_round)
        return read.index(chosen), agreed, len(read)

    def test_two_rounds_that_agree_at_once(self):
        self.assertEqual(self.settle([a_round(), a_round(), a_round(rss=99)]), (1, True, 2))

    def test_the_first_two_consecutive_rounds_that_agree(self):
        rounds = [a_round(rss=1), a_round(rss=2), a_round(rss=3), a_round(rss=3), a_round(rss=3)]
        self.assertEqual(self.settle(rounds), (3, True, 4))

    def test_never_more_than_max_rounds_then_the_last_unagreed(self):
        rounds = [a_round(rss=n) for n in range(MAX_ROUNDS + 3)]
        self.assertEqual(self.settle(rounds), (MAX_ROUNDS - 1, False, MAX_ROUNDS))


class WhyUnreadable(unittest.TestCase):
    def error(self, **facts):
        return procfs_reader.unreadable_error(42, "smaps_rollup", "root@db1:22", **facts)

    def test_a_target_that_is_gone(self):
        error = self.error(alive=False, kernel_has_it=True, root=False)
        self.assertEqual((error.code, error.message), ("target-exited", "pid 42 has exited"))

    def test_a_kernel_without_the_file(self):
        error = self.error(alive=True, kernel_has_it=False, root=True)
        self.assertEqual(error.code, "not-root")
        self.assertEqual(
            error.message,
            "cannot read /proc/42/smaps_rollup on root@db1:22: this kernel does not have it "
            "(smaps_rollup came in Linux 4.14)",
        )
        self.assertEqual(error.hint, "use --backend drgn")

    def test_another_users_process(self):
        error = self.error(alive=True, kernel_has_it=True, root=False)
        self.assertEqual(
            error.message, "cannot read /proc/42/smaps_rollup on root@db1:22: the process belongs to another user"
        )
        self.assertEqual(error.hint, "run rssdrift as root or as the process's owner")

    def test_root_refused_is_not_told_to_run_as_root(self):
        error = self.error(alive=True, kernel_has_it=True, root=True)
        self.assertEqual(error.message, "cannot read /proc/42/smaps_rollup on root@db1:22 even as root")
        self.assertNotIn("run rssdrift as root", error.hint)
        self.assertIn("another user namespace", error.hint)


class Child:
    """A real child process running `code` (python3 -I), which prints one line when ready."""

    def __init__(self, code):
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        self.first_line = self.process.stdout.readline().strip()
        self.pid = self.process.pid

    def close(self):
        self.process.kill()
        self.process.wait()
        self.process.stdin.close()
        self.process.stdout.close()


THREADS = (
    "import threading,sys\nev=threading.Event()\ngo=threading.Event()\n"
    "def spin():\n go.wait()\n while True: pass\n"
    "for t in [threading.Thread(target=ev.wait,daemon=True) for _ in range(2)]+[threading.Thread(target=spin,daemon=True)]: t.start()\n"  # noqa: E501 (a program or file as one string)
    "print('ready',flush=True)\nsys.stdin.readline()\ngo.set()\nsys.stdin.read()"
)
# maps 8 MiB, touches every page, unmaps, again: RSS changes between any two /proc reads
ALLOCATING = "import mmap\nprint('ready',flush=True)\nwhile True:\n m=mmap.mmap(-1,8<<20)\n for i in range(0,8<<20,4096): m[i]=1\n m.close()"  # noqa: E501 (a program or file as one string)


def target_of(pid):
    return ProcfsTarget(pid, proc.check_target(pid), "this machine")


class OnRealProcesses(unittest.TestCase):
    def child(self, code):
        child = Child(code)
        self.addCleanup(child.close)
        return child

    def wait_until_asleep(self, pid):
        """Until every thread of pid sleeps: a child that printed its line may still be on its way there."""
        for _ in range(DEADLINE_S * 100):
            states = []
            for tid in os.listdir("/proc/%d/task" % pid):
                with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                    states.append(proc.parse_stat(f.read())["state"])
            if set(states) == {"S"}:
                return
            time.sleep(0.01)
        self.fail("the threads of pid %d never all slept" % pid)

    def test_the_hello_line(self):
        child = IdleChild()
        self.addCleanup(child.close)
        hello = target_of(child.pid).hello(250)
        release = os.uname().release
        era = procfs_reader.era_from_release(release)
        self.assertEqual(
            {
                key: hello[key]
                for key in (
                    "type",
                    "backend",
                    "kernel",
                    "drgn",
                    "era",
                    "era_source",
                    "layout",
                    "slot_kind",
                    "fault_around_pages",
                    "interval_ms",
                    "smaps",
                )
            },
            {
                "type": "hello",
                "backend": "procfs",
                "kernel": release,
                "drgn": None,
                "era": era,
                "era_source": "version",
                "layout": "",
                "slot_kind": "none",
                "fault_around_pages": None,
                "interval_ms": 250,
                "smaps": True,
            },
        )
        self.assertEqual(hello["target"]["pid"], child.pid)
        self.assertEqual(hello["target"]["comm"], "idle-child")
        self.assertEqual(hello["target"]["threads"], 1)
        self.assertEqual(hello["page_size"], PAGE_KB * 1024)
        self.assertEqual(len(hello["cpus"]["online"]), len(proc.read_cpu_list("online")))
        # the percpu era's batch is what the kernel computes from the online CPUs; unknown otherwise
        self.assertEqual(hello["batch"], max(32, 2 * len(hello["cpus"]["online"])) if era == "percpu" else None)

    def test_an_idle_process_gets_a_stable_estimate(self):
        child = IdleChild()
        self.addCleanup(child.close)
        target = target_of(child.pid)
        samples = [target.sample(seq) for seq in range(3)]
        self.assertEqual([s["seq"] for s in samples], [0, 1, 2])
        for sample in samples:
            self.assertNotIn("unstable", sample)
            self.assertIsNone(sample["counters"])
            self.assertEqual(sample["threads"], 1)
            # the child touched 300 anonymous pages; smaps_rollup walks the page tables
            self.assertGreaterEqual(sample["proc"]["smaps_rollup"]["Anonymous"], 300 * PAGE_KB)
            self.assertEqual(sample["proc"]["statm"]["resident"] * PAGE_KB, sample["proc"]["status"]["VmRSS"])
        # nothing moved, so every sample read the same numbers
        self.assertEqual(len({json.dumps(s["proc"], sort_keys=True) for s in samples}), 1)
        self.assertLess(samples[0]["mono_ms"], samples[1]["mono_ms"])

    def test_a_process_that_allocates_all_the_time_gets_no_estimate(self):
        child = self.child(ALLOCATING)
        target = target_of(child.pid)
        rounds = []
        read_round = target.read_round
        with mock.patch.object(target, "read_round", lambda tids: rounds.append(1) or read_round(tids)):
            samples = [target.sample(seq) for seq in range(4)]
        # it never holds still (always running or runnable): every sample read every round, in vain
        self.assertEqual([s.get("unstable") for s in samples], [True] * 4)
        self.assertEqual(len(rounds), 4 * MAX_ROUNDS)

    def test_a_multi_threaded_process_while_idle_and_while_one_thread_spins(self):
        child = self.child(THREADS)
        self.wait_until_asleep(child.pid)
        target = target_of(child.pid)
        for sample in (target.sample(0), target.sample(1)):
            self.assertEqual(sample["threads"], 4)
            self.assertNotIn("unstable", sample)
        child.process.stdin.write("spin\n")
        child.process.stdin.flush()
        # a running thread may be half way through a page-table change: no estimate while it runs
        for seq in (2, 3):
            self.assertTrue(target.sample(seq)["unstable"])

    def test_too_many_threads_to_read_each_round(self):
        child = self.child(THREADS)
        with mock.patch.object(procfs_reader, "MAX_THREADS", 3):
            self.assertTrue(target_of(child.pid).sample(0)["unstable"])

    def test_a_target_that_exits(self):
        child = IdleChild()
        target = target_of(child.pid)
        target.sample(0)
        child.close()
        with self.assertRaises(protocol.HelperError) as caught:
            target.sample(1)
        self.assertEqual(caught.exception.code, "target-exited")

    def test_a_target_that_became_a_zombie(self):
        child = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
        self.addCleanup(child.wait)
        wait_for_state(child.pid, "S")
        target = target_of(child.pid)
        child.stdin.close()  # it exits, and stays a zombie until reaped
        wait_for_state(child.pid, "Z")
        with self.assertRaises(protocol.HelperError) as caught:
            target.sample(0)
        self.assertEqual(caught.exception.code, "zombie")


class ScriptWithProcfsBackend(unittest.TestCase):
    """rss_stat.py --backend procfs as a subprocess: needs no root, prints what the schema says."""

    def run_script(self, *args):
        result = subprocess.run(
            [sys.executable, "-I", SCRIPT, "--backend", "procfs"] + list(args),
            capture_output=True,
            text=True,
            timeout=DEADLINE_S,
            stdin=subprocess.DEVNULL,
        )
        self.assertEqual(result.stderr, "")  # never a traceback
        lines = result.stdout.splitlines()
        if not validator_missing():
            self.assertEqual(schema_errors(lines), [])
        return result.returncode, [json.loads(line) for line in lines]

    def test_hello_and_samples(self):
        child = IdleChild()
        self.addCleanup(child.close)
        status, lines = self.run_script("--pid", str(child.pid), "--count", "2", "--interval", "50")
        self.assertEqual(status, 0)
        self.assertEqual([line["type"] for line in lines], ["hello", "sample", "sample"])
        self.assertEqual((lines[0]["backend"], lines[0]["target"]["pid"]), ("procfs", child.pid))

    def test_the_target_checks_of_every_backend(self):
        """A thread id, a kernel thread, a pid that is gone: the same errors as the kernel backends."""
        child = Child(
            "import threading,sys\nt=threading.Thread(target=sys.stdin.read,daemon=True)\nt.start()\n"
            "print(t.native_id,flush=True)\nsys.stdin.read()"
        )
        self.addCleanup(child.close)
        status, lines = self.run_script("--pid", child.first_line)
        self.assertEqual((status, len(lines), lines[0]["code"]), (2, 1, "bad-args"))
        self.assertEqual(lines[0]["message"], "pid %s is a thread of process %d" % (child.first_line, child.pid))
        with open("/proc/sys/kernel/pid_max") as f:
            beyond = int(f.read()) + 1
        self.assertEqual(self.run_script("--pid", str(beyond))[1][0]["code"], "no-such-pid")
        with open("/proc/2/stat") as f:
            if "(kthreadd)" in f.read():
                self.assertEqual(self.run_script("--pid", "2")[1][0]["code"], "kernel-thread")

    def test_started_as_rssdrift_starts_it(self):
        """The argv and stdin of src/sources/helper-launch.ts, as procfs-source.ts asks for them: no
        sudo, --backend procfs, control lines on stdin."""
        compiled = node_module(os.path.join("src", "sources", "helper-launch.js"))
        if compiled is None:
            self.skipTest("needs node and the compiled helper-launch.js (npx tsc -p tsconfig.json)")
        child = IdleChild()
        self.addCleanup(child.close)
        printer = (
            'import { pathToFileURL } from "node:url";'
            "const m = await import(pathToFileURL(process.argv[1]).href);"
            'const argv = m.helperArgv({ backend: "procfs", pid: Number(process.argv[2]), intervalMs: 50, count: 2, smaps: true,'  # noqa: E501 (a program or file as one string)
            '  sudo: false, where: "this machine" });'
            'process.stdout.write(JSON.stringify({ argv, preamble: m.helperPreamble().toString("base64") }));'
        )
        launch = json.loads(
            subprocess.run(
                ["node", "--input-type=module", "-e", printer, compiled, str(child.pid)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        self.assertEqual(launch["argv"][:3], ["python3", "-I", "-c"])
        helper = subprocess.Popen(
            [sys.executable] + launch["argv"][1:], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        self.addCleanup(helper.__exit__, None, None, None)
        helper.stdin.write(base64.b64decode(launch["preamble"]))
        helper.stdin.flush()  # and stdin stays open: its end would stop the helper
        lines = [json.loads(helper.stdout.readline()) for _ in range(3)]
        self.assertEqual(helper.wait(timeout=DEADLINE_S), 0)
        self.assertEqual(helper.stderr.read(), b"")
        self.assertEqual([line["type"] for line in lines], ["hello", "sample", "sample"])
        self.assertEqual(lines[0]["backend"], "procfs")


if __name__ == "__main__":
    unittest.main()
