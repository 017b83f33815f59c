"""Tests of scripts/drift-target, run for real on this machine: the ready line, the CPU
restriction of the waiting process, and the anonymous memory it touched (smaps_rollup walks the
page tables, so it is independent of the counters drift-target means to skew).

    python3 -m unittest discover -s helpers -p 'test_*.py'
"""

import json
import os
import signal
import subprocess
import unittest

from schema_check import REPO

DRIFT_TARGET = os.path.join(REPO, "scripts", "drift-target")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
DEADLINE_S = 60  # only so that a broken test cannot hang; nothing asserts on time
READY_KEYS = {"ready", "pid", "mode", "cpus", "pages_per_cpu", "page_size", "bytes_touched"}


def allowed_cpus():
    return sorted(os.sched_getaffinity(0))


def proc_field(pid, name, key):
    with open("/proc/%d/%s" % (pid, name)) as f:
        for line in f:
            if line.startswith(key + ":"):
                return line.split(":", 1)[1].strip()
    raise AssertionError("%s has no %s" % (name, key))


def anonymous_kb(pid):
    return int(proc_field(pid, "smaps_rollup", "Anonymous").split()[0])


class WaitingTarget:
    """drift-target started with stdin a pipe: it waits until we close it."""

    def __init__(self, *args):
        self.process = subprocess.Popen(
            [DRIFT_TARGET, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        self.ready = json.loads(self.process.stdout.readline())

    def stop_by_closing_stdin(self):
        self.process.stdin.close()
        code = self.process.wait(timeout=DEADLINE_S)
        self.process.stdout.close()
        self.process.stderr.close()
        return code

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
        self.process.__exit__(None, None, None)


class DriftTarget(unittest.TestCase):
    def start(self, *args):
        target = WaitingTarget(*args)
        self.addCleanup(target.kill)
        return target

    def test_no_wait_prints_the_ready_line_and_exits(self):
        cpus = allowed_cpus()
        result = subprocess.run(
            [DRIFT_TARGET, "--pages", "7", "--no-wait"], capture_output=True, text=True, timeout=DEADLINE_S
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        lines = result.stdout.splitlines()
        self.assertEqual(len(lines), 1)
        ready = json.loads(lines[0])
        self.assertEqual(set(ready), READY_KEYS)
        self.assertEqual((ready["ready"], ready["mode"], ready["cpus"]), (True, "cpus", cpus))
        self.assertEqual((ready["pages_per_cpu"], ready["page_size"]), (7, PAGE_SIZE))
        self.assertEqual(ready["bytes_touched"], 7 * PAGE_SIZE * len(cpus))
        self.assertIn("drift-target: pid %d" % ready["pid"], result.stderr)

    def test_waits_on_the_chosen_cpu_with_the_pages_touched(self):
        cpu = allowed_cpus()[-1]
        pages = 500
        baseline = self.start("--cpus", str(cpu), "--pages", "0")
        loaded = self.start("--cpus", str(cpu), "--pages", str(pages))
        for target in (baseline, loaded):
            self.assertEqual(target.ready["cpus"], [cpu])
            # the whole process, re-executed, is restricted to the chosen CPU
            self.assertEqual(proc_field(target.ready["pid"], "status", "Cpus_allowed_list"), str(cpu))
            self.assertEqual(target.ready["pid"], target.process.pid)  # re-executed in place
            # no transparent huge pages: khugepaged would add pages to the counters from any CPU
            self.assertEqual(proc_field(target.ready["pid"], "status", "THP_enabled"), "0")
        grown_kb = anonymous_kb(loaded.ready["pid"]) - anonymous_kb(baseline.ready["pid"])
        # two interpreters' own heaps differ by a page or two either way
        jitter_pages = 8
        self.assertGreaterEqual(grown_kb, (pages - jitter_pages) * PAGE_SIZE // 1024)
        # one page per fault, no huge pages: not much more than what was touched either
        self.assertLessEqual(grown_kb, (pages + jitter_pages) * PAGE_SIZE // 1024)
        self.assertEqual(loaded.stop_by_closing_stdin(), 0)  # a harness that goes away takes it along

    def test_seed_touches_one_mebibyte_on_one_cpu(self):
        cpu = allowed_cpus()[0]
        target = self.start("--seed")
        self.assertEqual(target.ready["mode"], "seed")
        self.assertEqual(target.ready["cpus"], [cpu])  # the first allowed CPU
        self.assertEqual(target.ready["pages_per_cpu"], (1 << 20) // PAGE_SIZE)
        self.assertEqual(target.ready["bytes_touched"], 1 << 20)
        self.assertGreaterEqual(anonymous_kb(target.ready["pid"]), 1024)
        self.assertEqual(proc_field(target.ready["pid"], "status", "Threads"), "1")
        target.process.send_signal(signal.SIGTERM)
        self.assertEqual(target.process.wait(timeout=DEADLINE_S), 0)

    def test_bad_cpus_are_one_line_and_exit_2(self):
        beyond = max(allowed_cpus()) + 1
        for args in (
            ["--cpus", str(beyond)],
            ["--cpus", "one"],
            ["--seed", "--cpu", str(beyond)],
            ["--pages", "-1"],
            ["--cpu", "0"],
        ):
            with self.subTest(args=args):
                result = subprocess.run(
                    [DRIFT_TARGET, *args, "--no-wait"], capture_output=True, text=True, timeout=DEADLINE_S
                )
                self.assertEqual(result.returncode, 2)
                self.assertEqual(result.stdout, "")
                self.assertEqual(len(result.stderr.splitlines()), 1, result.stderr)
                self.assertTrue(result.stderr.startswith("drift-target: "), result.stderr)


if __name__ == "__main__":
    unittest.main()
