"""What the readers share: the hello line's shape, the target's exit and pid-reuse checks, and
turning one reading of the counters into a sample line with the /proc readings.

A reader (drgn_reader.DrgnReader, bpf_reader.BpfReader) provides:
    reader.hello_fields()   -> the backend's fields of the hello line (backend ... fault_around_pages)
    reader.threads          -> the target's thread count when the reader found it
    reader.read_counters()  -> (threads, {counter name: counter_reading(...)}), or HelperError
"""

import time

from .proc import TargetGone, read_proc
from .protocol import PROTOCOL_VERSION, HelperError


def hello_line(fields, stat, threads, interval_ms, smaps):
    """The hello line: the reader's fields, then the target and the sampling settings.
    `fields` may carry one backend-specific extra object (e.g. "bpf"), which goes last."""
    line = {"type": "hello", "protocol": PROTOCOL_VERSION}
    line.update((key, value) for key, value in fields.items() if key != "bpf")
    line["target"] = {"pid": stat["pid"], "comm": stat["comm"], "start_time": stat["start_time"], "threads": threads}
    line["interval_ms"] = interval_ms
    line["smaps"] = smaps
    if "bpf" in fields:
        line["bpf"] = fields["bpf"]
    return line


def target_exited(pid):
    return HelperError("target-exited", "pid %d has exited" % pid)


def check_same_process(pid, first, stat):
    """Raises pid-reused when /proc/PID/stat now (`stat`) is another process's than at the start
    (`first`): the start time tells them apart."""
    if stat["start_time"] != first["start_time"]:
        raise HelperError("pid-reused", "pid %d now belongs to another process (%s)" % (pid, stat["comm"]))


class Sampler:
    """The target being watched through one reader."""

    def __init__(self, reader, stat, smaps):
        """stat: the target's /proc/PID/stat as check_target() read it; its start time is the
        identity that every sample is checked against (pid reuse)."""
        self.reader = reader
        self.pid = stat["pid"]
        self.stat = stat
        self.smaps = smaps

    def hello(self, interval_ms):
        return hello_line(self.reader.hello_fields(), self.stat, self.reader.threads, interval_ms, self.smaps)

    def sample(self, seq):
        """One sample line: the counters, then at once the /proc files. A failed read is
        reported as the target's exit or pid reuse when /proc shows that, else as itself."""
        started = time.monotonic()
        failure = None
        try:
            threads, counters = self.reader.read_counters()
        except HelperError as e:
            failure = e
        read_us = int((time.monotonic() - started) * 1e6)
        try:
            stat, proc = read_proc(self.pid, self.smaps)
        except TargetGone:
            raise target_exited(self.pid) from None
        check_same_process(self.pid, self.stat, stat)
        if failure:
            raise failure
        return {
            "type": "sample",
            "seq": seq,
            "mono_ms": round(started * 1000, 3),
            "threads": threads,
            "counters": counters,
            "proc": proc,
            "read_us": read_us,
        }
