"""The drgn reader: mm->rss_stat through /proc/kcore and the kernel's DWARF debug info.

It runs unchanged on drgn 0.0.22 (Debian 12) and newer, so it uses only helpers that 0.0.22 has,
and passes `prog` explicitly everywhere. It is the reference the bpf reader is held against.
"""

import os
import struct
import sys

from . import hints
from .era import RssStatLayout, decide_era
from .proc import TARGET_ERRORS, classify_target
from .protocol import COUNTER_ENUMERATORS, HelperError, counter_reading, fault_around_pages

try:
    import drgn
    from drgn.helpers.linux.cpumask import for_each_online_cpu, for_each_possible_cpu
    from drgn.helpers.linux.list import list_for_each_entry
    from drgn.helpers.linux.percpu import per_cpu_ptr, percpu_counter_sum
    from drgn.helpers.linux.pid import find_task

    DRGN_IMPORT_ERROR = None
except Exception as e:  # reported as a no-drgn error line, never as a traceback
    drgn = None
    DRGN_IMPORT_ERROR = e


# --- prerequisites --------------------------------------------------------------------------


def check_prerequisites(lockdown):
    """The cheap checks, before the slow program_from_kernel(): root, /proc/kcore, lockdown
    (`lockdown`: the mode from proc.read_lockdown_mode())."""
    if os.geteuid() != 0:
        raise HelperError(
            "not-root", "reading kernel memory needs root (euid is %d)" % os.geteuid(), "run it as root, e.g. with sudo"
        )
    if not os.path.exists("/proc/kcore"):
        raise HelperError(
            "no-kcore",
            "/proc/kcore does not exist",
            "the kernel needs CONFIG_PROC_KCORE, and containers usually hide /proc/kcore",
        )
    if lockdown == "confidentiality":
        raise HelperError(
            "lockdown",
            "the kernel is locked down (confidentiality): /proc/kcore cannot be read",
            "boot without lockdown=confidentiality (Secure Boot may enforce it)",
        )
    try:
        os.close(os.open("/proc/kcore", os.O_RDONLY))
    except PermissionError as e:
        raise HelperError(
            "lockdown",
            "cannot open /proc/kcore: %s" % e.strerror,
            "kernel lockdown, or a container without CAP_SYS_RAWIO",
        ) from None


def require_drgn():
    """Raises HelperError no-drgn when drgn (or one of the helpers we use) did not import."""
    if DRGN_IMPORT_ERROR is not None:
        raise HelperError(
            "no-drgn",
            "drgn is not usable by %s (%s: %s)"
            % (sys.executable or "python3", type(DRGN_IMPORT_ERROR).__name__, DRGN_IMPORT_ERROR),
            hints.drgn_fix(sys.executable, in_venv()),
        )


def in_venv():
    """A venv has its own site-packages: the distribution's drgn package is not in them."""
    return sys.prefix != getattr(sys, "base_prefix", sys.prefix)


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
        name = notes[offset + 12 : offset + 12 + namesz]
        desc_at = offset + 12 + ((namesz + 3) & ~3)
        if kind == NT_GNU_BUILD_ID and name.rstrip(b"\0") == b"GNU":
            return notes[desc_at : desc_at + descsz].hex()
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
            (shoff,) = struct.unpack_from(endian + "Q", header, 0x28)
            shentsize, shnum = struct.unpack_from(endian + "HH", header, 0x3A)
            section = lambda raw: struct.unpack_from(endian + "4xI16xQQ", raw)  # noqa: E731
        else:
            (shoff,) = struct.unpack_from(endian + "I", header, 0x20)
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
        raise HelperError(
            "no-debug-info",
            "--vmlinux %s: %s" % (vmlinux, getattr(e, "strerror", None) or e),
            "give the uncompressed vmlinux with DWARF (not /boot/vmlinuz)",
        ) from None
    try:
        with open("/sys/kernel/notes", "rb") as f:
            running = gnu_build_id(f.read())
    except OSError:
        running = None
    if running is not None and given != running:
        release = os.uname().release
        raise HelperError(
            "no-debug-info",
            "--vmlinux %s is not the running kernel's (build ID %s; %s has %s)"
            % (vmlinux, given or "none", release, running),
            "give the vmlinux that kernel %s was built from" % release,
        )


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
        raise HelperError(
            "lockdown", "cannot read kernel memory: %s" % e, "kernel lockdown, or a container without CAP_SYS_RAWIO"
        ) from None
    except drgn.MissingDebugInfoError as e:  # some versions raise where others only report
        raise missing_debug_info(str(e), vmlinux) from None


def missing_debug_info(detail, vmlinux=None):
    release = os.uname().release
    hint = (
        "%s is not the vmlinux with DWARF of the running kernel %s: give the one it was built from" % (vmlinux, release)
        if vmlinux is not None
        else hints.debug_info_fix(release)
    )
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


class DrgnReader:
    """The target's counters, read with one drgn program (see sampler.py for the interface)."""

    def __init__(self, prog, pid):
        self.prog = prog
        self.pid = pid
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

    def hello_fields(self):
        prog = self.prog
        page_size = optional_value(prog, "PAGE_SIZE") or os.sysconf("SC_PAGE_SIZE")
        return {
            "backend": "drgn",
            "kernel": prog["init_uts_ns"].name.release.string_().decode(),
            "drgn": getattr(drgn, "__version__", None),
            "page_size": page_size,
            "cpus": {"online": online_cpus(prog), "possible": list(for_each_possible_cpu(prog))},
            "batch": optional_value(prog, "percpu_counter_batch"),
            "era": self.era,
            "era_source": "type",
            "layout": self.layout.name,
            "slot_kind": self.slot_kind,
            "fault_around_pages": fault_around_pages(
                optional_value(prog, "fault_around_pages"), optional_value(prog, "fault_around_bytes"), page_size
            ),
        }

    def read_counters(self):
        """-> (threads, {counter name: reading}) for the era."""
        try:
            task, mm = self.find(gone_code="target-exited")
            if self.era == "percpu":
                cpus = online_cpus(self.prog)
                counters = {name: read_percpu_counter(mm.rss_stat[i], cpus) for name, i in self.indices.items()}
                return task.signal.nr_threads.value_(), counters
            if self.era == "split-rss":
                threads = thread_list(task)
                return len(threads), {name: read_split_rss(mm, threads, i) for name, i in self.indices.items()}
            counters = {name: read_uncached(mm, i, self.layout.is_array) for name, i in self.indices.items()}
            return task.signal.nr_threads.value_(), counters
        except drgn.FaultError:
            # freed under us: an exiting task (even one still in /proc as a zombie) is "exited"
            self.find(gone_code="target-exited")
            raise HelperError("internal", "reading the counters of pid %d faulted" % self.pid) from None
