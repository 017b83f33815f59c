"""Which of the kernel's RSS-counting eras a layout of mm->rss_stat belongs to, decided from
types (never from the version string), the same way for the drgn and the bpf reader:

- percpu (v6.2+, f1a7941243c1): struct percpu_counter rss_stat[4]; cached = fbc->count, the
  rest sits in per-CPU slots, exact = percpu_counter_sum().
- split-rss (v2.6.34..v6.1, 34e55232e59f): struct mm_rss_stat (atomic counts) plus
  task->rss_stat, a per-thread cache; exact = count + the sum over the threads' caches.
- none: no cache at all (no task->rss_stat, or a !SMP percpu_counter): exact == count.
"""

import re

from .protocol import HelperError


def percpu_batch(online_cpus):
    """percpu_counter_batch as lib/percpu_counter.c computes it: max(32, 2 x online CPUs)."""
    return max(32, 2 * online_cpus)


class RssStatLayout:
    """What mm->rss_stat looks like, described with plain values so that the era decision is
    testable without a kernel."""

    def __init__(self, name, is_array, struct_tag, members, task_has_rss_stat):
        self.name = name  # as drgn prints the type, e.g. "struct percpu_counter [4]"
        self.is_array = is_array
        self.struct_tag = struct_tag  # tag of the (element) struct, e.g. "percpu_counter"
        self.members = frozenset(members)  # its member names (those the decision needs, at least)
        self.task_has_rss_stat = task_has_rss_stat  # task_struct has the per-thread cache


def decide_era(layout):
    """-> (era, slot_kind) for the hello line; raises HelperError unsupported-layout."""
    if layout.is_array and layout.struct_tag == "percpu_counter":
        if "counters" in layout.members:
            return "percpu", "cpu"
        return "none", "none"  # !SMP: struct percpu_counter is just { s64 count; }
    if not layout.is_array and layout.struct_tag == "mm_rss_stat" and "count" in layout.members:
        return ("split-rss", "thread") if layout.task_has_rss_stat else ("none", "none")
    raise HelperError(
        "unsupported-layout",
        "unsupported layout: %s" % layout.name,
        "this kernel keeps RSS in a way rssdrift does not know yet",
    )


def era_from_release(release):
    """A guess from the release string, for when nobody looked at the types: v6.2
    (f1a7941243c1) made mm->rss_stat per-CPU; earlier kernels cache per thread. Backports blur
    the line, so it is only ever shown as a guess."""
    match = re.match(r"(\d+)\.(\d+)", release)
    if not match:
        return "unknown"
    major, minor = int(match.group(1)), int(match.group(2))
    return "percpu" if (major, minor) >= (6, 2) else "split-rss"
