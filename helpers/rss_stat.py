"""Read a process's RSS counters (mm->rss_stat) from the running kernel, with drgn or with BPF,
or estimate them from /proc.

The only part of rssdrift that runs as root (its procfs backend runs as any user). It prints
JSON lines on stdout, one object per line, exactly as rssdrift_helper/protocol.json describes
them: `progress` while starting, one `hello`, then one `sample` per tick, or one `error` line and
a non-zero exit.

    python3 -I rss_stat.py --pid N|self [--backend drgn|bpf|procfs] [--interval MS] [--count K] [--smaps] [--control]
                           [--vmlinux PATH] [--where TEXT]
    python3 -I rss_stat.py --check [--vmlinux PATH]     (one `check` line: every prerequisite of
                                                         each backend, for `rssdrift doctor`)
    drgn rss_stat.py --pid N ...      (the drgn backend, with drgn's own `prog`)

rssdrift sends it over stdin with its package rssdrift_helper/, the modules and protocol.json
(src/sources/helper-launch.ts); run from a checkout it imports them from its own directory.

Backends (the modules say more):
- drgn (rssdrift_helper/drgn_reader.py): /proc/kcore and the kernel's DWARF debug info.
- bpf (rssdrift_helper/bpf_reader.py): the kernel's BTF and a BPF program run on demand; no
  drgn, no debug info, no /proc/kcore.
- procfs (rssdrift_helper/procfs_reader.py): no root and no kernel reader: the cached counters from
  /proc/PID/stat against the page-table walk of smaps_rollup, an estimate.

It only reads: /proc and /sys files and kernel memory. It never writes to the kernel or to the
target.
"""

import argparse
import os
import sys

if "__file__" in globals():  # from a checkout (not through the bootstrap, which supplies the modules)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from rssdrift_helper.loop import install_signal_handlers, run  # noqa: E402
from rssdrift_helper.proc import check_target, read_lockdown_mode  # noqa: E402
from rssdrift_helper.procfs_reader import ProcfsTarget  # noqa: E402
from rssdrift_helper.protocol import EXIT_STATUS, HelperError, emit, error_line, progress_line  # noqa: E402
from rssdrift_helper.sampler import Sampler  # noqa: E402


class _ArgumentParser(argparse.ArgumentParser):
    """argparse that raises a bad-args HelperError instead of printing usage to stderr."""

    def error(self, message):
        raise HelperError("bad-args", message, " ".join(self.format_usage().split()))


def _positive_int(text):
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


_positive_int.__name__ = "positive integer"  # argparse names the type in its message


def _pid(text):
    """A pid, or "self": the helper's own process (doctor proves the bpf path on it)."""
    return os.getpid() if text == "self" else _positive_int(text)


_pid.__name__ = "pid"


def parse_args(argv):
    """Parses the helper's arguments (without the program name); raises HelperError bad-args."""
    parser = _ArgumentParser(prog="rss_stat.py", description="Read mm->rss_stat of a process.")
    parser.add_argument("--pid", type=_pid, help="a pid, or self")
    parser.add_argument(
        "--check",
        action="store_true",
        help="check every prerequisite of each backend, print one check line (rssdrift_helper/checks.py)",
    )
    parser.add_argument("--backend", choices=("drgn", "bpf", "procfs"), default="drgn")
    parser.add_argument("--interval", type=_positive_int, default=1000, metavar="MS")
    parser.add_argument(
        "--count",
        type=_positive_int,
        default=None,
        metavar="K",
        help="samples to take (default: 1, or unlimited with --control)",
    )
    parser.add_argument("--smaps", action="store_true", help="also read /proc/PID/smaps_rollup")
    parser.add_argument(
        "--control",
        action="store_true",
        help="read control lines (sample, interval MS, pause, resume, ping) from stdin; EOF ends",
    )
    parser.add_argument(
        "--heartbeat",
        type=_positive_int,
        default=None,
        metavar="S",
        help="with --control: exit when no control line came for S seconds",
    )
    parser.add_argument(
        "--vmlinux",
        default=None,
        metavar="PATH",
        help="drgn backend: the kernel's vmlinux with DWARF, instead of drgn's search (drgn -s PATH)",
    )
    parser.add_argument(
        "--where",
        default="this machine",
        metavar="TEXT",
        help="procfs backend: how rssdrift names this machine in messages (e.g. root@db1:22)",
    )
    options = parser.parse_args(argv)
    if options.pid is None and not options.check:
        parser.error("the following arguments are required: --pid")
    if options.count is None and not options.control:
        options.count = 1
    return options


def start_drgn(options, stat, prog):
    """The drgn reader, after its prerequisites; `prog` is drgn's own under `drgn rss_stat.py`."""
    from rssdrift_helper import drgn_reader

    if prog is None:
        drgn_reader.check_prerequisites(read_lockdown_mode())
    drgn_reader.require_drgn()
    drgn = drgn_reader.drgn
    emit(progress_line("starting", "drgn %s, reading pid %d" % (drgn.__version__, options.pid)))
    if prog is None:
        emit(progress_line("loading-debug-info", "loading the kernel's debug info (a few seconds)"))
        prog = drgn_reader.load_program(options.vmlinux)
    elif not prog.flags & drgn.ProgramFlags.IS_LIVE:
        raise HelperError("bad-args", "drgn is not attached to the running kernel", "run drgn without -c")
    drgn_reader.probe_debug_info(prog, options.vmlinux)
    emit(progress_line("finding-task", "finding pid %d" % options.pid))
    return drgn_reader.DrgnReader(prog, options.pid)


def start_bpf(options, stat):
    from rssdrift_helper import bpf_reader

    emit(progress_line("starting", "bpf, reading pid %d" % options.pid))
    emit(progress_line("loading-debug-info", "reading the kernel's BTF and loading the BPF program"))
    return bpf_reader.BpfReader(options.pid, stat["comm"])


def main(argv, prog=None):
    """Runs the helper; returns the exit status. Every failure becomes one error line."""
    try:
        install_signal_handlers()
        options = parse_args(argv)
        if options.check:
            from rssdrift_helper import checks

            return checks.main(options.vmlinux)
        # a wrong pid is the user's first problem, and telling needs neither root nor a backend
        stat = check_target(options.pid)
        if options.backend == "procfs":
            target = ProcfsTarget(options.pid, stat, options.where)
        elif options.backend == "bpf":
            target = Sampler(start_bpf(options, stat), stat, options.smaps)
        else:
            target = Sampler(start_drgn(options, stat, prog), stat, options.smaps)
        emit(target.hello(options.interval))
        return run(target, options)
    except HelperError as e:
        emit(error_line(e.code, e.message, e.hint))
        return EXIT_STATUS[e.code]
    except Exception as e:  # never a traceback: the reader expects JSON lines
        emit(error_line("internal", "%s: %s" % (type(e).__name__, e)))
        return EXIT_STATUS["internal"]


if __name__ == "__main__":
    # Under `drgn rss_stat.py`, drgn defines `prog`; under python3 or the bootstrap it does not.
    sys.exit(main(sys.argv[1:], globals().get("prog")))
