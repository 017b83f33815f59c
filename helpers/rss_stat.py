"""Read a process's RSS counters (mm->rss_stat) from the running kernel with drgn.

The only part of rssdrift that runs as root. It prints JSON lines on stdout, one object per
line, exactly as src/schema/helper-line.ts describes them: `progress` while starting, one
`hello`, then one `sample` per tick, or one `error` line and a non-zero exit.

    drgn rss_stat.py --pid N [--interval MS] [--count K] [--smaps] [--control] [--vmlinux PATH]
    python3 -I rss_stat.py --pid N ...   (or through the bootstrap in src/sources/helper-launch.ts)

drgn provides a global `prog` in the first form; otherwise the script builds one with
drgn.program_from_kernel(). It runs unchanged on drgn 0.0.22 (Debian 12) and newer, so it uses
only helpers that 0.0.22 has, and passes `prog` explicitly everywhere.

It only reads: /proc files and kernel memory through /proc/kcore. It never writes to the kernel
or to the target.

Kernel eras, detected from types, never from the version string:
- percpu (v6.2+, f1a7941243c1): struct percpu_counter rss_stat[4]; cached = fbc->count, the
  rest sits in per-CPU slots, exact = percpu_counter_sum().
- split-rss (v2.6.34..v6.1, 34e55232e59f): struct mm_rss_stat (atomic counts) plus
  task->rss_stat, a per-thread cache; exact = count + the sum over the threads' caches.
- none: no cache at all (no task->rss_stat, or a !SMP percpu_counter): exact == count.
"""

import argparse
import json
import os
import select
import signal
import struct
import sys
import time

try:
    import drgn
    from drgn.helpers.linux.cpumask import for_each_online_cpu, for_each_possible_cpu
    from drgn.helpers.linux.list import list_for_each_entry
    from drgn.helpers.linux.percpu import per_cpu_ptr, percpu_counter_sum
    from drgn.helpers.linux.pid import find_task

    DRGN_IMPORT_ERROR = None
except Exception as e:  # reported by main() as a no-drgn error line, never as a traceback
    drgn = None
    DRGN_IMPORT_ERROR = e

PROTOCOL_VERSION = 1

# Our short counter names and the kernel enumerators they stand for. The enumerators' values
# are looked up in the kernel's debug info, never assumed.
COUNTER_ENUMERATORS = (
    ("file", "MM_FILEPAGES"),
    ("anon", "MM_ANONPAGES"),
    ("shmem", "MM_SHMEMPAGES"),
    ("swap", "MM_SWAPENTS"),
)

STATUS_FIELDS = ("VmRSS", "RssAnon", "RssFile", "RssShmem", "VmSwap", "VmHWM")
SMAPS_FIELDS = ("Rss", "Anonymous")

# include/linux/sched.h; #defines, so they are not in the debug info. Stable for 15+ years.
PF_EXITING = 0x00000004
PF_KTHREAD = 0x00200000

# The exit status for each error code; the same numbers as EXIT in src/errors.ts.
EXIT_STATUS = {
    "bad-args": 2,
    "kernel-thread": 2,
    "no-such-pid": 3,
    "zombie": 3,
    "pid-reused": 3,
    "target-exited": 3,
    "not-root": 4,
    "no-kcore": 4,
    "lockdown": 4,
    "no-drgn": 4,
    "no-debug-info": 4,
    "unsupported-layout": 5,
    "internal": 5,
}


class HelperError(Exception):
    """A failure with a stable code from ERROR_CODES (src/schema/helper-line.ts)."""

    def __init__(self, code, message, hint=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint


# --- output -------------------------------------------------------------------------------


def emit(line):
    """Writes one JSON line to stdout and flushes it, so the reader sees it at once."""
    sys.stdout.write(json.dumps(line, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def progress_line(step, message):
    return {"type": "progress", "step": step, "message": message}


def error_line(code, message, hint=None):
    line = {"type": "error", "code": code, "message": message or code}
    if hint:
        line["hint"] = hint
    return line


# --- arguments ----------------------------------------------------------------------------


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


def parse_args(argv):
    """Parses the helper's arguments (without the program name); raises HelperError bad-args."""
    parser = _ArgumentParser(prog="rss_stat.py", description="Read mm->rss_stat of a process with drgn.")
    parser.add_argument("--pid", type=_positive_int, required=True)
    parser.add_argument("--interval", type=_positive_int, default=1000, metavar="MS")
    parser.add_argument("--count", type=_positive_int, default=None, metavar="K",
                        help="samples to take (default: 1, or unlimited with --control)")
    parser.add_argument("--smaps", action="store_true", help="also read /proc/PID/smaps_rollup")
    parser.add_argument("--control", action="store_true",
                        help="read control lines (sample, interval MS, pause, resume, ping) from stdin; EOF ends")
    parser.add_argument("--heartbeat", type=_positive_int, default=None, metavar="S",
                        help="with --control: exit when no control line came for S seconds")
    parser.add_argument("--vmlinux", default=None, metavar="PATH",
                        help="the kernel's vmlinux with DWARF, instead of drgn's search (drgn -s PATH)")
    options = parser.parse_args(argv)
    if options.count is None and not options.control:
        options.count = 1
    return options


def parse_control(line):
    """One control line -> ("sample",), ("interval", ms), ("pause",), ("resume",), ("ping",),
    or None if invalid. An interval is 1 ms to an hour (the client sends 50 ms to an hour):
    a longer one would overflow select()'s timeout."""
    words = line.split()
    if words in (["sample"], ["pause"], ["resume"], ["ping"]):
        return (words[0],)
    if len(words) == 2 and words[0] == "interval" and words[1].isascii() and words[1].isdigit() and len(words[1]) <= 7:
        ms = int(words[1])
        if 1 <= ms <= 3600000:
            return ("interval", ms)
    return None


# --- /proc ----------------------------------------------------------------------------------


def parse_stat(text):
    """/proc/PID/stat -> the fields we use. comm may hold spaces and parentheses, so it is
    everything between the first "(" and the last ")"."""
    open_paren, close_paren = text.index("("), text.rindex(")")
    rest = text[close_paren + 2:].split()  # rest[0] is field 3 (state)

    def field(number):
        return rest[number - 3]

    return {
        "pid": int(text[:open_paren]),
        "comm": text[open_paren + 1:close_paren],
        "state": field(3),
        "flags": int(field(9)),
        "threads": int(field(20)),
        "start_time": int(field(22)),
        "rss": int(field(24)),
    }


def parse_statm(text):
    """/proc/PID/statm -> {size, resident, shared}, in pages."""
    size, resident, shared = (int(word) for word in text.split()[:3])
    return {"size": size, "resident": resident, "shared": shared}


def parse_kb_fields(text, names):
    """Lines like "VmRSS:    1234 kB" -> {name: kB} for the given names, 0 when a field is absent."""
    values = dict.fromkeys(names, 0)
    for line in text.splitlines():
        name, sep, rest = line.partition(":")
        if sep and name in values:
            values[name] = int(rest.split()[0])
    return values


def parse_status_tgid(text):
    for line in text.splitlines():
        if line.startswith("Tgid:"):
            return int(line.split()[1])
    return None


class TargetGone(Exception):
    """The target's /proc directory disappeared."""


def read_proc_file(pid, name):
    try:
        with open("/proc/%d/%s" % (pid, name), "rb") as f:
            return f.read().decode("utf-8", "replace")
    except (FileNotFoundError, ProcessLookupError) as e:
        raise TargetGone(str(e)) from e


def read_proc(pid, smaps):
    """Reads the target's /proc files the way other tools see the counters.
    Returns (parsed stat, the sample's "proc" object); raises TargetGone."""
    stat = parse_stat(read_proc_file(pid, "stat"))
    statm = parse_statm(read_proc_file(pid, "statm"))
    status = parse_kb_fields(read_proc_file(pid, "status"), STATUS_FIELDS)
    rollup = parse_kb_fields(read_proc_file(pid, "smaps_rollup"), SMAPS_FIELDS) if smaps else None
    return stat, {"statm": statm, "status": status, "stat_rss": stat["rss"], "smaps_rollup": rollup}


def classify_target(flags, state="", exit_state=0, has_mm=True):
    """None if the task has user memory to read, else the error code: "kernel-thread", or
    "zombie" for an exited task (state Z/X, exit_state set, or exiting without an mm)."""
    if flags & PF_KTHREAD:
        return "kernel-thread"
    if state in ("Z", "X") or exit_state:
        return "zombie"
    if not has_mm:
        return "zombie" if flags & PF_EXITING else "kernel-thread"
    return None


TARGET_ERRORS = {
    "zombie": "pid {pid} ({comm}) is a zombie: it has exited and has no memory left to read",
    "kernel-thread": "pid {pid} ({comm}) is a kernel thread: it has no user memory",
}


def check_target(pid):
    """Cheap check through /proc, before drgn loads: exists, is a process, has memory."""
    try:
        stat = parse_stat(read_proc_file(pid, "stat"))
        tgid = parse_status_tgid(read_proc_file(pid, "status"))
    except TargetGone:
        raise HelperError("no-such-pid", "no process with pid %d" % pid) from None
    if tgid is not None and tgid != pid:
        raise HelperError("bad-args", "pid %d is a thread of process %d" % (pid, tgid),
                          "use the process's pid, %d: its threads share one memory" % tgid)
    problem = classify_target(stat["flags"], state=stat["state"])
    if problem:
        raise HelperError(problem, TARGET_ERRORS[problem].format(pid=pid, comm=stat["comm"]))
    return stat


# --- prerequisites --------------------------------------------------------------------------


def lockdown_mode(text):
    """/sys/kernel/security/lockdown ("none [integrity] confidentiality") -> "integrity"."""
    start, end = text.find("["), text.find("]")
    return text[start + 1:end] if 0 <= start < end else None


def os_release_ids(text):
    """/etc/os-release -> the set of ID and ID_LIKE words, e.g. {"ubuntu", "debian"}."""
    ids = set()
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key in ("ID", "ID_LIKE"):
            ids.update(value.strip().strip("\"'").split())
    return ids


def read_os_release_ids():
    try:
        with open("/etc/os-release") as f:
            return os_release_ids(f.read())
    except OSError:
        return set()


FEDORA_LIKE = {"fedora", "rhel", "centos"}


DISTRO_PYTHON = "/usr/bin/python3"


def drgn_install_hint(ids, executable=DISTRO_PYTHON, in_venv=False):
    """The package, for the distribution's python3; said when another python runs us (pyenv, a
    venv), because the package cannot help that one (src/doctor/install-commands.ts says the same)."""
    if "ubuntu" in ids or "debian" in ids:
        hint = "apt install python3-drgn"
    elif ids & FEDORA_LIKE:
        hint = "dnf install drgn"
    else:
        return "install drgn: apt install python3-drgn / dnf install drgn / pip install drgn"
    if executable and (os.path.realpath(executable) != os.path.realpath(DISTRO_PYTHON) or in_venv):
        hint += " (it installs for %s, and this is %s: then rerun with --python %s)" % (
            DISTRO_PYTHON, executable, DISTRO_PYTHON)
    return hint


def debug_info_hint(ids, release):
    """The kernel's debug info, worded as src/doctor/install-commands.ts words it when it cannot
    ask apt: a package only if the distribution has one for this kernel (custom and cloud kernels
    often have none), else --vmlinux."""
    vmlinux = "pass --vmlinux PATH to the uncompressed vmlinux with DWARF that %s was built from" % release
    if "ubuntu" in ids:
        package = ("enable the debug symbol archive (ddebs, see Ubuntu's \"Debug Symbol Packages\" page), "
                   "then apt install linux-image-%s-dbgsym" % release)
    elif "debian" in ids:
        package = "apt install linux-image-%s-dbg" % release
    elif ids & FEDORA_LIKE:
        return "if %s is a Fedora kernel: dnf debuginfo-install kernel-%s; otherwise %s" % (release, release, vmlinux)
    else:
        return ("install your distribution's kernel debug info for %s (a vmlinux with DWARF, e.g. at "
                "/usr/lib/debug/boot/vmlinux-%s), or %s" % (release, release, vmlinux))
    return "if your distribution packages this kernel's debug info: %s; otherwise %s" % (package, vmlinux)


def check_prerequisites():
    """The cheap checks, before the slow program_from_kernel(): root, /proc/kcore, lockdown."""
    if os.geteuid() != 0:
        raise HelperError("not-root", "reading kernel memory needs root (euid is %d)" % os.geteuid(),
                          "run it as root, e.g. with sudo")
    if not os.path.exists("/proc/kcore"):
        raise HelperError("no-kcore", "/proc/kcore does not exist",
                          "the kernel needs CONFIG_PROC_KCORE, and containers usually hide /proc/kcore")
    try:
        with open("/sys/kernel/security/lockdown") as f:
            mode = lockdown_mode(f.read())
    except OSError:
        mode = None  # no lockdown LSM or no securityfs: nothing locked down
    if mode == "confidentiality":
        raise HelperError("lockdown", "the kernel is locked down (confidentiality): /proc/kcore cannot be read",
                          "boot without lockdown=confidentiality (Secure Boot may enforce it)")
    try:
        os.close(os.open("/proc/kcore", os.O_RDONLY))
    except PermissionError as e:
        raise HelperError("lockdown", "cannot open /proc/kcore: %s" % e.strerror,
                          "kernel lockdown, or a container without CAP_SYS_RAWIO") from None


def require_drgn():
    """Raises HelperError no-drgn when drgn (or one of the helpers we use) did not import."""
    if DRGN_IMPORT_ERROR is not None:
        raise HelperError("no-drgn", "drgn is not usable by %s (%s: %s)" % (
            sys.executable or "python3", type(DRGN_IMPORT_ERROR).__name__, DRGN_IMPORT_ERROR),
            drgn_install_hint(read_os_release_ids(), sys.executable, sys.prefix != getattr(sys, "base_prefix", sys.prefix)))


def quiet_drgn_logging():
    """drgn 0.0.31 reports modules without debug info through the "drgn" logger, which
    without a handler of its own would print them on stderr (0.0.22 prints nothing)."""
    import logging

    logger = logging.getLogger("drgn")
    logger.addHandler(logging.NullHandler())
    logger.propagate = False


NT_GNU_BUILD_ID = 3


def gnu_build_id(notes, endian="<"):
    """The GNU build ID (hex) in a block of ELF notes (/sys/kernel/notes, a SHT_NOTE section)."""
    offset = 0
    while offset + 12 <= len(notes):
        namesz, descsz, kind = struct.unpack_from(endian + "III", notes, offset)
        name = notes[offset + 12:offset + 12 + namesz]
        desc_at = offset + 12 + ((namesz + 3) & ~3)
        if kind == NT_GNU_BUILD_ID and name.rstrip(b"\0") == b"GNU":
            return notes[desc_at:desc_at + descsz].hex()
        offset = desc_at + ((descsz + 3) & ~3)
    return None


def elf_build_id(path):
    """The GNU build ID of an ELF file, from its SHT_NOTE sections; None when it has none.
    Raises ValueError for a file that is not ELF."""
    with open(path, "rb") as f:
        header = f.read(64)
        if header[:4] != b"\x7fELF" or header[4] not in (1, 2) or header[5] not in (1, 2):
            raise ValueError("not an ELF file")
        endian = "<" if header[5] == 1 else ">"
        if header[4] == 2:  # ELF64: e_shoff, e_shentsize, e_shnum; section: type, offset, size
            shoff, = struct.unpack_from(endian + "Q", header, 0x28)
            shentsize, shnum = struct.unpack_from(endian + "HH", header, 0x3A)
            section = lambda raw: struct.unpack_from(endian + "4xI16xQQ", raw)  # noqa: E731
        else:
            shoff, = struct.unpack_from(endian + "I", header, 0x20)
            shentsize, shnum = struct.unpack_from(endian + "HH", header, 0x2E)
            section = lambda raw: struct.unpack_from(endian + "4xI8xII", raw)  # noqa: E731
        for index in range(shnum):
            f.seek(shoff + index * shentsize)
            kind, offset, size = section(f.read(shentsize))
            if kind == 7 and 0 < size < 1 << 20:  # SHT_NOTE
                f.seek(offset)
                found = gnu_build_id(f.read(size), endian)
                if found:
                    return found
    return None


def check_vmlinux(vmlinux):
    """--vmlinux must be the running kernel's own: drgn would otherwise ignore it quietly (0.0.31
    searches on) or read the wrong types. Compared by GNU build ID, when the kernel has one."""
    try:
        given = elf_build_id(vmlinux)
    except (OSError, ValueError) as e:
        raise HelperError("no-debug-info", "--vmlinux %s: %s" % (vmlinux, getattr(e, "strerror", None) or e),
                          "give the uncompressed vmlinux with DWARF (not /boot/vmlinuz)") from None
    try:
        with open("/sys/kernel/notes", "rb") as f:
            running = gnu_build_id(f.read())
    except OSError:
        running = None
    if running is not None and given != running:
        release = os.uname().release
        raise HelperError("no-debug-info", "--vmlinux %s is not the running kernel's (build ID %s; %s has %s)" % (
            vmlinux, given or "none", release, running),
            "give the vmlinux that kernel %s was built from" % release)


def load_program(vmlinux=None):
    """drgn.program_from_kernel(), quietly: only vmlinux matters, and probe_debug_info()
    checks it; modules without debug info do not. With `vmlinux`, drgn's search is replaced by
    that file, as `drgn -s PATH --main-symbols` does (0.0.22 and 0.0.31 alike)."""
    quiet_drgn_logging()
    try:
        if vmlinux is None:
            return drgn.program_from_kernel()
        check_vmlinux(vmlinux)
        prog = drgn.Program()
        prog.set_kernel()
        prog.load_debug_info([vmlinux], default=False, main=True)
        return prog
    except PermissionError as e:
        raise HelperError("lockdown", "cannot read kernel memory: %s" % e,
                          "kernel lockdown, or a container without CAP_SYS_RAWIO") from None
    except drgn.MissingDebugInfoError as e:  # some versions raise where others only report
        raise missing_debug_info(str(e), vmlinux) from None


def missing_debug_info(detail, vmlinux=None):
    release = os.uname().release
    hint = ("%s is not the vmlinux with DWARF of the running kernel %s: give the one it was built from" % (vmlinux, release)
            if vmlinux is not None else debug_info_hint(read_os_release_ids(), release))
    return HelperError("no-debug-info", "no debug info for kernel %s (%s)" % (release, detail), hint)


def probe_debug_info(prog, vmlinux=None):
    """drgn only warns when vmlinux debug info is missing, and PAGE_SIZE or UTS_RELEASE still
    work from vmcoreinfo; these two lookups fail without the DWARF."""
    try:
        prog.type("struct mm_struct")
        prog.constant("MM_ANONPAGES")
    except LookupError as e:
        raise missing_debug_info("%s: %s" % (type(e).__name__, e), vmlinux) from None


# --- the kernel side ------------------------------------------------------------------------


class RssStatLayout:
    """What mm->rss_stat looks like, described with plain values so that the era decision is
    testable without drgn."""

    def __init__(self, name, is_array, struct_tag, members, task_has_rss_stat):
        self.name = name  # as drgn prints the type, e.g. "struct percpu_counter [4]"
        self.is_array = is_array
        self.struct_tag = struct_tag  # tag of the (element) struct, e.g. "percpu_counter"
        self.members = frozenset(members)  # its member names
        self.task_has_rss_stat = task_has_rss_stat  # task_struct has the per-thread cache


def decide_era(layout):
    """-> (era, slot_kind) for the hello line; raises HelperError unsupported-layout."""
    if layout.is_array and layout.struct_tag == "percpu_counter":
        if "counters" in layout.members:
            return "percpu", "cpu"
        return "none", "none"  # !SMP: struct percpu_counter is just { s64 count; }
    if not layout.is_array and layout.struct_tag == "mm_rss_stat" and "count" in layout.members:
        return ("split-rss", "thread") if layout.task_has_rss_stat else ("none", "none")
    raise HelperError("unsupported-layout", "unsupported layout: %s" % layout.name,
                      "this kernel keeps RSS in a way rssdrift does not know yet")


def strip_typedefs(type_):
    while type_.kind == drgn.TypeKind.TYPEDEF:
        type_ = type_.type
    return type_


def member_names(type_):
    """Names of a struct's members, including those of anonymous inner structs and unions."""
    names = set()
    for member in strip_typedefs(type_).members:
        if member.name is None:
            names |= member_names(member.type)
        else:
            names.add(member.name)
    return names


def describe_layout(prog, mm):
    type_ = strip_typedefs(mm.rss_stat.type_)
    is_array = type_.kind == drgn.TypeKind.ARRAY
    inner = strip_typedefs(type_.type) if is_array else type_
    is_struct = inner.kind == drgn.TypeKind.STRUCT
    return RssStatLayout(
        name=type_.type_name(),
        is_array=is_array,
        struct_tag=inner.tag if is_struct else None,
        members=member_names(inner) if is_struct else (),
        task_has_rss_stat="rss_stat" in member_names(prog.type("struct task_struct")),
    )


def counter_indices(prog):
    """{"file": MM_FILEPAGES's value, ...}, from the kernel's enum."""
    try:
        return {name: prog.constant(enumerator).value_() for name, enumerator in COUNTER_ENUMERATORS}
    except LookupError as e:
        raise HelperError("unsupported-layout", "unsupported layout: the kernel lacks a counter (%s)" % e) from None


def optional_value(prog, name):
    """A global variable's value, or None when this kernel has no such symbol."""
    try:
        return prog[name].value_()
    except LookupError:
        return None


def fault_around_pages(pages, bytes_, page_size):
    """Pages one file fault may map: fault_around_pages (v6.4+) or fault_around_bytes / PAGE_SIZE."""
    if pages is None and bytes_ is not None:
        pages = bytes_ // page_size
    return pages if pages is not None and pages >= 1 else None


def cached_value(count):
    """get_mm_counter() clamps: a negative count (frees counted before faults) reads as 0."""
    return max(0, count)


def counter_reading(count, exact, residue):
    return {"count": count, "cached": cached_value(count), "exact": exact, "residue": residue}


def read_percpu_counter(fbc, cpus):
    """A struct percpu_counter: its count, each online CPU's slot, and percpu_counter_sum(),
    which drgn reads on its own (so it shows the jitter of a live, lockless read)."""
    count = fbc.count.value_()
    residue = [{"slot": cpu, "pages": per_cpu_ptr(fbc.counters, cpu)[0].value_()} for cpu in cpus]
    exact = percpu_counter_sum(fbc.address_of_())
    return counter_reading(count, exact, residue)


def thread_list(task):
    """The task_structs of the target's threads (signal->thread_head, v3.14+)."""
    return list(list_for_each_entry("struct task_struct", task.signal.thread_head.address_of_(), "thread_node"))


def read_split_rss(mm, threads, index):
    """One counter of the split-rss era: the mm's atomic count plus each thread's cache."""
    count = mm.rss_stat.count[index].counter.value_()
    residue = [{"slot": t.pid.value_(), "pages": t.rss_stat.count[index].value_()} for t in threads]
    return counter_reading(count, count + sum(slot["pages"] for slot in residue), residue)


def read_uncached(mm, index, is_array):
    """A counter with no cache (era "none"): what the mm holds is exact."""
    count = (mm.rss_stat[index].count if is_array else mm.rss_stat.count[index].counter).value_()
    return counter_reading(count, count, [])


def online_cpus(prog):
    return list(for_each_online_cpu(prog))


# --- the sampler ------------------------------------------------------------------------------


class Target:
    """The process being watched, bound to one drgn program and its era."""

    def __init__(self, prog, stat, smaps):
        """stat: the target's /proc/PID/stat as check_target() read it; its start time is the
        identity that every sample is checked against (pid reuse)."""
        self.prog = prog
        self.pid = stat["pid"]
        self.stat = stat
        self.smaps = smaps
        self.indices = counter_indices(prog)
        task, mm = self.find(gone_code="no-such-pid")
        self.threads = task.signal.nr_threads.value_()
        self.layout = describe_layout(prog, mm)
        self.era, self.slot_kind = decide_era(self.layout)

    def find(self, gone_code):
        """-> (task, mm) of the target, or HelperError gone_code / zombie / kernel-thread."""
        task = find_task(self.prog, self.pid)
        if not task:
            raise HelperError(gone_code, "pid %d has exited" % self.pid)
        mm = task.mm
        problem = classify_target(task.flags.value_(), exit_state=task.exit_state.value_(), has_mm=bool(mm))
        if problem:
            if gone_code == "target-exited":
                raise HelperError(gone_code, "pid %d has exited" % self.pid)
            comm = task.comm.string_().decode("utf-8", "replace")
            raise HelperError(problem, TARGET_ERRORS[problem].format(pid=self.pid, comm=comm))
        return task, mm

    def hello(self, interval_ms):
        prog = self.prog
        page_size = optional_value(prog, "PAGE_SIZE") or os.sysconf("SC_PAGE_SIZE")
        return {
            "type": "hello",
            "protocol": PROTOCOL_VERSION,
            "backend": "drgn",
            "kernel": prog["init_uts_ns"].name.release.string_().decode(),
            "drgn": getattr(drgn, "__version__", None),
            "page_size": page_size,
            "cpus": {
                "online": online_cpus(prog),
                "possible": list(for_each_possible_cpu(prog)),
            },
            "batch": optional_value(prog, "percpu_counter_batch"),
            "era": self.era,
            "era_source": "type",
            "layout": self.layout.name,
            "slot_kind": self.slot_kind,
            "fault_around_pages": fault_around_pages(
                optional_value(prog, "fault_around_pages"), optional_value(prog, "fault_around_bytes"), page_size),
            "target": {"pid": self.pid, "comm": self.stat["comm"], "start_time": self.stat["start_time"],
                       "threads": self.threads},
            "interval_ms": interval_ms,
            "smaps": self.smaps,
        }

    def read_counters(self, task, mm):
        """-> (threads, {counter name: reading}) for the era."""
        if self.era == "percpu":
            cpus = online_cpus(self.prog)
            counters = {name: read_percpu_counter(mm.rss_stat[i], cpus) for name, i in self.indices.items()}
            return task.signal.nr_threads.value_(), counters
        if self.era == "split-rss":
            threads = thread_list(task)
            return len(threads), {name: read_split_rss(mm, threads, i) for name, i in self.indices.items()}
        counters = {name: read_uncached(mm, i, self.layout.is_array) for name, i in self.indices.items()}
        return task.signal.nr_threads.value_(), counters

    def sample(self, seq):
        """One sample line: the counters, then at once the /proc files."""
        started = time.monotonic()
        try:
            task, mm = self.find(gone_code="target-exited")
            threads, counters = self.read_counters(task, mm)
        except drgn.FaultError:
            # freed under us: an exiting task (even one still in /proc as a zombie) is "exited"
            self.find(gone_code="target-exited")
            counters = None
        read_us = int((time.monotonic() - started) * 1e6)
        try:
            stat, proc = read_proc(self.pid, self.smaps)
        except TargetGone:
            raise HelperError("target-exited", "pid %d has exited" % self.pid) from None
        if stat["start_time"] != self.stat["start_time"]:
            raise HelperError("pid-reused", "pid %d now belongs to another process (%s)" % (self.pid, stat["comm"]))
        if counters is None:
            raise HelperError("internal", "reading the counters of pid %d faulted" % self.pid)
        return {"type": "sample", "seq": seq, "mono_ms": round(started * 1000, 3), "threads": threads,
                "counters": counters, "proc": proc, "read_us": read_us}


# --- the loop ---------------------------------------------------------------------------------


def arm_heartbeat(seconds):
    """(Re)starts the controller's deadline. A link that dies without a FIN leaves sshd, and so our
    stdin, open until TCP gives up (~15 min); SIGALRM ends us sooner, even inside a blocked write."""
    if seconds:
        signal.alarm(seconds)


class ControlReader:
    """Control lines from fd 0, read raw (os.read) so that select() sees every byte. Only the new
    bytes are split; an unterminated line is kept up to LINE_MAX bytes, and one longer than that
    (no command is) is dropped up to its newline, so a peer that never sends one costs nothing."""

    LINE_MAX = 256

    def __init__(self, heartbeat=None):
        self.pending = b""
        self.overlong = False  # the pending line passed LINE_MAX: drop it when its newline comes
        self.heartbeat = heartbeat
        arm_heartbeat(heartbeat)

    def wait(self, timeout):
        """Waits up to timeout seconds (None: forever) -> list of commands, or None at EOF."""
        readable, _, _ = select.select([0], [], [], timeout)
        if not readable:
            return []
        chunk = os.read(0, 4096)
        if not chunk:
            return None
        arm_heartbeat(self.heartbeat)
        *complete, rest = chunk.split(b"\n")
        lines = []
        if complete:
            if not self.overlong:
                lines.append(self.pending + complete[0])
            lines.extend(complete[1:])
            self.pending, self.overlong = b"", False
        self.pending += rest
        if len(self.pending) > self.LINE_MAX:
            self.pending, self.overlong = b"", True
        commands = (parse_control(line.decode("ascii", "replace")) for line in lines if len(line) <= self.LINE_MAX)
        return [command for command in commands if command]  # unknown lines are ignored


def run(target, options):
    """Samples every interval until --count samples were taken; with --control also on request,
    and only until stdin ends. Returns the exit status."""
    control = ControlReader(options.heartbeat) if options.control else None
    interval = options.interval / 1000
    paused = False
    seq = 0
    next_due = time.monotonic()  # the first sample comes at once

    def more_wanted():
        return options.count is None or seq < options.count

    def take_sample():
        nonlocal seq
        emit(target.sample(seq))
        seq += 1

    while more_wanted():
        timeout = None if paused else max(0.0, next_due - time.monotonic())
        if control is None:
            time.sleep(timeout)
        else:
            # polled before every sample, so that a slow read cannot starve the controller
            commands = control.wait(timeout)
            if commands is None:
                return 0  # the controller is gone: no root process may linger
            for command in commands:
                if command[0] == "sample" and more_wanted():
                    take_sample()
                elif command[0] == "interval":
                    next_due += command[1] / 1000 - interval  # counted from the last sample
                    interval = command[1] / 1000
                elif command[0] == "pause":
                    paused = True
                elif command[0] == "resume":
                    paused = False
        if not paused and more_wanted() and time.monotonic() >= next_due:
            take_sample()
            next_due += interval
            now = time.monotonic()
            if next_due < now:  # the read took longer than the interval: leave a gap anyway
                next_due = now + interval
    return 0


def quit_quietly(signum, _frame):
    os._exit(128 + signum)


def install_signal_handlers():
    # A closed stdout kills us at the next write instead of raising: nobody is reading.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGALRM):
        signal.signal(signum, quit_quietly)


def main(argv, prog=None):
    """Runs the helper; returns the exit status. Every failure becomes one error line."""
    try:
        install_signal_handlers()
        options = parse_args(argv)
        # a wrong pid is the user's first problem, and telling needs neither root nor drgn
        stat = check_target(options.pid)
        if prog is None:
            check_prerequisites()
        require_drgn()
        emit(progress_line("starting", "drgn %s, reading pid %d" % (drgn.__version__, options.pid)))
        if prog is None:
            emit(progress_line("loading-debug-info", "loading the kernel's debug info (a few seconds)"))
            prog = load_program(options.vmlinux)
        elif not prog.flags & drgn.ProgramFlags.IS_LIVE:
            raise HelperError("bad-args", "drgn is not attached to the running kernel", "run drgn without -c")
        probe_debug_info(prog, options.vmlinux)
        emit(progress_line("finding-task", "finding pid %d" % options.pid))
        target = Target(prog, stat, options.smaps)
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
