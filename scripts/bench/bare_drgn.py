"""A bare drgn program reading what rssdrift's drgn backend reads, without rssdrift: the target's
mm->rss_stat counters, each one's cached count and its exact sum, percpu_counter_sum() (the
per-CPU era, Linux 6.2+), for scripts/bench/backends.ts. The floor for --backend drgn.

    python3 -I bare_drgn.py PID N

Prints {"startup_s": S} once drgn is loaded and the first read is done, then {"read_us": [...]}
of N more reads. drgn's own logging is quieted as the helper does.
"""

import json
import logging
import sys
import time

started = time.monotonic()

import drgn  # noqa: E402 (the import is part of the start-up measured)
from drgn.helpers.linux.percpu import percpu_counter_sum  # noqa: E402
from drgn.helpers.linux.pid import find_task  # noqa: E402


def main(pid, count):
    logging.getLogger("drgn").setLevel(logging.ERROR)
    prog = drgn.program_from_kernel()
    task = find_task(prog, pid)
    counters = prog["NR_MM_COUNTERS"].value_()

    def read():
        rss_stat = task.mm.rss_stat
        return [(rss_stat[i].count.value_(), percpu_counter_sum(rss_stat[i].address_of_())) for i in range(counters)]

    read()
    print(json.dumps({"startup_s": round(time.monotonic() - started, 4)}), flush=True)
    read_us = []
    for _ in range(count):
        before = time.perf_counter()
        read()
        read_us.append(round((time.perf_counter() - before) * 1e6))
    print(json.dumps({"read_us": read_us}), flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
