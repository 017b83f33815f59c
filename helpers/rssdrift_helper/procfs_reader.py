"""The procfs backend: an estimate of the drift from /proc alone, for machines without root, BPF,
drgn or /proc/kcore. It runs as whoever starts it (no sudo), and reads only /proc and /sys files.

/proc/PID/stat rss is always the cached sum of the counters; smaps_rollup walks the page tables,
so it is the truth. Their difference estimates the drift; nothing here sees the per-CPU or
per-thread slots, so the hello line says slot_kind "none", and the era is guessed from the release.

The files are read one after another, so a process that allocates meanwhile gives a torn reading
(stat from before, smaps_rollup from after) whose difference is not drift. A sample therefore reads
rounds until two consecutive ones agree, at most MAX_ROUNDS; when none do, the sample says it is
unstable and the estimate is withheld.
"""

import os
import re
import time

from .era import percpu_batch
from .proc import (
    SMAPS_FIELDS,
    STATUS_FIELDS,
    TargetGone,
    parse_kb_fields,
    parse_stat,
    parse_statm,
    read_cpu_list,
    read_proc_file,
    target_problem,
)
from .protocol import HelperError
from .sampler import check_same_process, hello_line, target_exited

# The files one round reads; smaps_rollup last, since its page-table walk takes the longest.
SAMPLE_FILES = ("stat", "statm", "status", "smaps_rollup")
# Rounds of reads a sample may take before its estimate is withheld as unstable.
MAX_ROUNDS = 5
# At most this many threads' states are read; a process with more gets no estimate.
MAX_THREADS = 1024
# Thread states in which a thread cannot be half way through mapping or unmapping pages: asleep
# (S), stopped (T, t), or dead (Z, X). A running or runnable one (R) may have been preempted
# between clearing page-table entries and counting them, and one in D may be inside a fault;
# then smaps_rollup and the counters disagree by far more than the drift, even while still.
STILL_STATES = frozenset("STtZX")


def era_from_release(release):
    """The era guessed from the kernel release, as src/analysis/era-guess.ts guesses it (a test
    holds the two together): v6.2 (f1a7941243c1) made mm->rss_stat per-CPU; earlier kernels cache
    per thread. Backports blur the line, so the hello line labels it a guess (era_source "version")."""
    match = re.match(r"(\d+)\.(\d+)", release, re.ASCII)
    if not match:
        return "unknown"
    major, minor = int(match.group(1)), int(match.group(2))
    return "percpu" if (major, minor) >= (6, 2) else "split-rss"


def _cpu_list(name, default):
    try:
        return read_cpu_list(name)
    except OSError:  # no /sys (some containers)
        return default


def hello_fields():
    """The procfs backend's fields of the hello line."""
    release = os.uname().release
    online = _cpu_list("online", [0])
    era = era_from_release(release)
    return {
        "backend": "procfs",
        "kernel": release,
        "drgn": None,
        "page_size": os.sysconf("SC_PAGE_SIZE"),
        "cpus": {"online": online, "possible": _cpu_list("possible", online)},
        "batch": percpu_batch(len(online)) if era == "percpu" else None,
        "era": era,
        "era_source": "version",
        "layout": "",
        "slot_kind": "none",
        "fault_around_pages": None,
    }


def unreadable_error(pid, name, where, alive, kernel_has_it, root):
    """Why /proc/PID/NAME could not be read: the target is gone, this kernel does not have the
    file, or we may not read it. stat is world-readable; smaps_rollup needs ptrace read access to
    the target, which its owner and root normally have (root is not always enough)."""
    if not alive:
        return target_exited(pid)
    on = "/proc/%d/%s on %s" % (pid, name, where)
    if not kernel_has_it:
        return HelperError(
            "not-root",
            "cannot read %s: this kernel does not have it (smaps_rollup came in Linux 4.14)" % on,
            "use --backend drgn",
        )
    if not root:
        return HelperError(
            "not-root",
            "cannot read %s: the process belongs to another user" % on,
            "run rssdrift as root or as the process's owner",
        )
    return HelperError(
        "not-root",
        "cannot read %s even as root" % on,
        "root was refused ptrace read access: an LSM (SELinux, AppArmor), a container without "
        "CAP_SYS_PTRACE, or a pid from another user namespace",
    )


def unreadable(pid, name, where):
    """unreadable_error() for this machine, asked only when a read failed."""
    return unreadable_error(
        pid,
        name,
        where,
        alive=os.path.exists("/proc/%d/stat" % pid),
        kernel_has_it=os.path.exists("/proc/self/" + name),
        root=os.geteuid() == 0,
    )


def read_text(pid, name):
    """/proc/PID/NAME, or None when it cannot be read (gone, absent, refused)."""
    try:
        return read_proc_file(pid, name)
    except (TargetGone, OSError):
        return None


def other_threads(pid):
    """The target's thread ids but its first (whose state /proc/PID/stat shows), or None when
    there are too many to read each round."""
    try:
        names = os.listdir("/proc/%d/task" % pid)
    except OSError:
        return []  # gone: the round's own read of stat says so
    tids = [int(name) for name in names if name.isdigit() and int(name) != pid]
    return tids if len(tids) < MAX_THREADS else None


class Round:
    """One reading of the target's files."""

    def __init__(self, threads, faults, still, proc):
        self.threads = threads
        self.faults = faults  # (minor, major) when the round began: any page mapped since counts
        self.still = still  # every thread read was in a STILL_STATES state
        self.proc = proc  # the sample's "proc" object

    def figures(self):
        """Every RSS figure the estimate and the readers' inputs use, and what shows a change."""
        proc = self.proc
        return (
            self.threads,
            self.faults,
            proc["stat_rss"],
            proc["statm"]["resident"],
            proc["statm"]["shared"],
            proc["status"],
            proc["smaps_rollup"],
        )


def agree(a, b):
    """Two rounds agree when every RSS figure is the same, the process took no page fault from the
    first round's start to the second's, and every thread was still in both. The fault counts only
    grow, so a process whose RSS went up and back down to the same figures between the reads (an
    allocator in a loop, in step with the rounds) cannot pass for a still one."""
    return a.still and b.still and a.figures() == b.figures()


def settle(read_round):
    """Reads rounds until two consecutive ones agree, at most MAX_ROUNDS.
    -> (the round that agreed with the one before, True), or (the last round read, False)."""
    rounds = [read_round()]
    while len(rounds) < MAX_ROUNDS:
        rounds.append(read_round())
        if agree(rounds[-2], rounds[-1]):
            return rounds[-1], True
    return rounds[-1], False


class ProcfsTarget:
    """The target, watched through its /proc files; the loop's `target` (hello, sample)."""

    def __init__(self, pid, stat, where):
        """stat: the target's /proc/PID/stat as check_target() read it (its start time is the
        target's identity); where: how rssdrift names this machine, for messages."""
        self.pid = pid
        self.stat = stat
        self.where = where

    def hello(self, interval_ms):
        return hello_line(hello_fields(), self.stat, self.stat["threads"], interval_ms, True)

    def read_round(self, tids):
        """One reading of the files, checked: the target is still the same live process we can read."""
        texts = [read_text(self.pid, name) for name in SAMPLE_FILES]
        thread_stats = [read_text(self.pid, "task/%d/stat" % tid) for tid in tids]
        if texts[0] is None:
            raise target_exited(self.pid)
        stat = parse_stat(texts[0])
        check_same_process(self.pid, self.stat, stat)
        problem = target_problem(self.pid, stat["comm"], stat["flags"], state=stat["state"])
        if problem:
            raise problem
        for name, text in zip(SAMPLE_FILES[1:], texts[1:]):
            if text is None:
                raise unreadable(self.pid, name, self.where)
        _, statm, status, rollup = texts
        # a thread that is gone (None) changed the process too
        states = [stat["state"]] + [parse_stat(text)["state"] if text is not None else "gone" for text in thread_stats]
        proc = {
            "statm": parse_statm(statm),
            "status": parse_kb_fields(status, STATUS_FIELDS),
            "stat_rss": stat["rss"],
            "smaps_rollup": parse_kb_fields(rollup, SMAPS_FIELDS),
        }
        return Round(
            stat["threads"],
            (stat["minor_faults"], stat["major_faults"]),
            all(state in STILL_STATES for state in states),
            proc,
        )

    def sample(self, seq):
        started = time.monotonic()
        tids = other_threads(self.pid)
        chosen, agreed = settle(lambda: self.read_round(tids or ()))
        line = {
            "type": "sample",
            "seq": seq,
            "mono_ms": round(started * 1000, 3),
            "threads": chosen.threads,
            "counters": None,
            "proc": chosen.proc,
            "read_us": 0,
        }
        if not (agreed and tids is not None):
            line["unstable"] = True
        return line
