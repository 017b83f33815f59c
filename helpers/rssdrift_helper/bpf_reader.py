"""The bpf reader: mm->rss_stat without drgn, debug info or /proc/kcore.

Offsets, enum values and per-CPU variable offsets come from the running kernel's BTF
(/sys/kernel/btf/vmlinux); nothing is compiled ahead of time. The program (bpf_program.py) is
loaded once and run again for every sample with BPF_PROG_TEST_RUN: microseconds a read.

Per-CPU offsets (percpu era) come from __per_cpu_offset where /proc/kallsyms shows it
(distribution kernels, read as root); elsewhere they are derived: per_cpu(runqueues, n) is
current->sched_task_group->cfs_rq[n]->rq, and the link address of the per-CPU section is the
root cgroup's static rstat pointer minus that variable's offset in the .data..percpu DATASEC.
Every read checks itself: rq->cpu == n for each CPU, per_cpu(this_cpu_off, n) == the offset on
x86, |slot| < batch, no failed kernel read, a complete thread walk. A failed check is an error
line (self-check-failed), never a number.
"""

import os
import time

from . import bpf_program, btf
from .bpf_syscall import Bpf, BpfError, TestRun, syscall_number
from .era import RssStatLayout, decide_era, percpu_batch
from .kallsyms import start_reading
from .proc import TARGET_ERRORS, classify_target, parse_cpu_list, read_cpu_list, read_lockdown_mode
from .protocol import COUNTER_ENUMERATORS, HelperError, counter_reading, fault_around_pages

PROGRAM_NAME = "rssdrift_rss"
# The program writes its context at 16-bit offsets: these bounds keep the context below 32 KiB.
MAX_CPUS = 768
MAX_THREADS = 1024
MIN_THREADS = 64

# include/uapi/linux/capability.h
CAP_SYS_ADMIN, CAP_PERFMON, CAP_BPF = 21, 38, 39

REFUSED_HINT = (
    "bpf() needs root, or CAP_BPF and CAP_PERFMON, and a seccomp profile that allows it "
    "(Docker's default profile blocks bpf(): --security-opt seccomp=unconfined); "
    "or use --backend drgn"
)
NO_BTF_HINT = "the kernel needs CONFIG_DEBUG_INFO_BTF=y; or use --backend drgn"

# kallsyms names; the first must never be at address 0 (it tells a readable kallsyms)
_SYMBOLS = ("__per_cpu_offset", "__per_cpu_start", "percpu_counter_batch", "fault_around_pages", "fault_around_bytes")

# The root cgroup's static per-CPU rstat area, by kernel version (kernel/cgroup/cgroup.c):
# (the per-CPU variable, its pointer's path in struct cgroup_root), newest first.
_ROOT_RSTAT = (
    ("root_rstat_cpu", "cgrp.self.rstat_cpu"),
    ("root_rstat_cpu", "cgrp.rstat_cpu"),
    ("cgrp_dfl_root_rstat_cpu", "cgrp.rstat_cpu"),
)


# --- prerequisites ----------------------------------------------------------------------------


def effective_capabilities(status_text):
    """/proc/self/status -> the CapEff bit mask."""
    for line in status_text.splitlines():
        if line.startswith("CapEff:"):
            return int(line.split()[1], 16)
    return 0


def may_use_bpf(euid, capabilities):
    """Root, or CAP_BPF with CAP_PERFMON (bpf_probe_read_kernel), or CAP_SYS_ADMIN."""
    wanted = (1 << CAP_BPF) | (1 << CAP_PERFMON)
    return euid == 0 or capabilities & wanted == wanted or bool(capabilities & (1 << CAP_SYS_ADMIN))


def check_prerequisites(lockdown):
    """Architecture, privileges and lockdown, before anything is parsed. -> the bpf syscall number."""
    number = syscall_number()
    if number is None:
        raise HelperError(
            "unsupported-arch",
            "the bpf backend does not know the bpf syscall on %s" % os.uname().machine,
            "it knows x86_64 and aarch64; use --backend drgn",
        )
    with open("/proc/self/status") as f:
        capabilities = effective_capabilities(f.read())
    if not may_use_bpf(os.geteuid(), capabilities):
        raise HelperError(
            "not-root",
            "reading kernel memory with bpf() needs root (euid is %d)" % os.geteuid(),
            "run it as root (e.g. with sudo), or grant CAP_BPF and CAP_PERFMON",
        )
    if lockdown == "confidentiality":
        raise HelperError(
            "lockdown",
            "the kernel is locked down (confidentiality): bpf_probe_read_kernel is refused",
            "boot without lockdown=confidentiality (Secure Boot may enforce it)",
        )
    return number


def load_btf(path=btf.VMLINUX):
    try:
        return btf.Btf.from_file(path)
    except FileNotFoundError:
        raise HelperError("no-btf", "%s does not exist: the kernel describes no types" % path, NO_BTF_HINT) from None
    except btf.BtfError as e:
        raise HelperError("no-btf", "%s is not readable BTF (%s)" % (path, e), NO_BTF_HINT) from None


# --- what the kernel looks like -------------------------------------------------------------


def describe_layout(types):
    """The RssStatLayout of mm->rss_stat, from BTF (the same decision as the drgn reader's)."""
    _, type_id = types.member_offset("mm_struct", "rss_stat")
    type_id = types.resolve(type_id)
    is_array = types.kind(type_id) == btf.ARRAY
    inner = types.resolve(types.array(type_id)[0]) if is_array else type_id
    is_struct = types.kind(inner) == btf.STRUCT
    tag = types.tag(inner) if is_struct else None
    members = [name for name in ("count", "counters") if is_struct and types.has_member(tag, name)]
    return RssStatLayout(
        types.type_name(type_id),
        is_array,
        tag,
        members,
        types.find(btf.STRUCT, "task_rss_stat") is not None and types.has_member("task_struct", "rss_stat"),
    )


class KernelOffsets:
    """Every offset and address the program needs, by name (see bpf_program.py)."""

    def __init__(self, types, era, layout, indices, symbols, machine):
        def offset(struct_name, path):
            return types.member_offset(struct_name, path)[0]

        def size_of(struct_name):
            return types.size(types.struct(struct_name))

        pidtype_pid = types.enumerator("PIDTYPE_PID")
        self.task_thread_pid = offset("task_struct", "thread_pid")
        self.task_pid_links = offset("task_struct", "pid_links") + pidtype_pid * size_of("hlist_node")
        self.task_flags = offset("task_struct", "flags")
        self.task_exit_state = offset("task_struct", "exit_state")
        self.task_pid = offset("task_struct", "pid")
        self.task_tgid = offset("task_struct", "tgid")
        self.task_signal = offset("task_struct", "signal")
        self.task_mm = offset("task_struct", "mm")
        self.pid_level = offset("pid", "level")
        self.pid_numbers = offset("pid", "numbers")
        self.pid_tasks = offset("pid", "tasks") + pidtype_pid * size_of("hlist_head")
        self.upid_nr = offset("upid", "nr")
        self.upid_ns = offset("upid", "ns")
        self.upid_size = size_of("upid")
        self.ns_level = offset("pid_namespace", "level")
        self.ns_idr_base = offset("pid_namespace", "idr.idr_base")
        self.ns_xa_head = offset("pid_namespace", "idr.idr_rt.xa_head")
        self.xa_node_shift = offset("xa_node", "shift")
        self.xa_node_slots, slots_type = types.member_offset("xa_node", "slots")
        chunk = types.array(types.resolve(slots_type))[2]
        self.xa_chunk_mask = chunk - 1
        self.xa_max_depth = -(-32 // (chunk.bit_length() - 1))  # enough for any 32-bit index
        self.signal_nr_threads = offset("signal_struct", "nr_threads")
        self.batch_address = symbols.get("percpu_counter_batch")
        self.fault_around_address = symbols.get("fault_around_pages") or symbols.get("fault_around_bytes")
        self.fault_around_is_pages = "fault_around_pages" in symbols
        rss_stat = offset("mm_struct", "rss_stat")
        if layout.is_array:  # struct percpu_counter rss_stat[NR_MM_COUNTERS]
            size = size_of("percpu_counter")
            self.count_offsets = [rss_stat + i * size + offset("percpu_counter", "count") for i in indices]
        else:  # struct mm_rss_stat { atomic_long_t count[NR_MM_COUNTERS]; }
            counts, array = types.member_offset("mm_rss_stat", "count")
            element = types.array(types.resolve(array))[0]
            if types.size(element) != 8:
                raise btf.BtfError("struct mm_rss_stat count[] of %d-byte elements" % types.size(element))
            self.count_offsets = [rss_stat + counts + i * 8 for i in indices]
        self.per_cpu_offset_address = None
        self.pcpu_start = None
        self.this_cpu_off_section_offset = None
        if era == "percpu":
            self._per_cpu(types, offset, size_of, rss_stat, indices, symbols, machine)
        elif era == "split-rss":
            self.signal_thread_head = offset("signal_struct", "thread_head")
            self.task_thread_node = offset("task_struct", "thread_node")
            self.list_next = offset("list_head", "next")
            cache, array = types.member_offset("task_rss_stat", "count")
            if types.size(array) != 16:  # int count[NR_MM_COUNTERS]: the program copies 16 bytes
                raise btf.BtfError("struct task_rss_stat count[] of %d bytes" % types.size(array))
            self.task_rss_stat_count = offset("task_struct", "rss_stat") + cache

    def _per_cpu(self, types, offset, size_of, rss_stat, indices, symbols, machine):
        size = size_of("percpu_counter")
        self.counters_offsets = [rss_stat + i * size + offset("percpu_counter", "counters") for i in indices]
        self.runqueues_section_offset = percpu_variable(types, "runqueues")
        self.rq_cpu = offset("rq", "cpu")
        if machine == "x86_64":
            self.this_cpu_off_section_offset = percpu_variable(types, "this_cpu_off")
        self.per_cpu_offset_address = symbols.get("__per_cpu_offset")
        self.pcpu_start = symbols.get("__per_cpu_start") if self.per_cpu_offset_address else None
        if self.pcpu_start is None:
            self.task_cgroups = offset("task_struct", "cgroups")
            self.css_set_dfl_cgrp = offset("css_set", "dfl_cgrp")
            self.cgroup_root = offset("cgroup", "root")
            for variable, path in _ROOT_RSTAT:
                section_offset = types.datasec_offset(".data..percpu", variable)
                if section_offset is not None and types.has_member("cgroup_root", path):
                    self.root_rstat_pointer = offset("cgroup_root", path)
                    self.root_rstat_section_offset = section_offset
                    break
            else:
                raise btf.BtfError(
                    "no root cgroup rstat per-CPU variable (%s) to find the per-CPU section"
                    % ", ".join(variable for variable, _ in _ROOT_RSTAT)
                )
        if self.per_cpu_offset_address is None:
            self.task_sched_task_group = offset("task_struct", "sched_task_group")  # CONFIG_FAIR_GROUP_SCHED
            self.task_group_cfs_rq = offset("task_group", "cfs_rq")
            self.cfs_rq_rq = offset("cfs_rq", "rq")


def percpu_variable(types, name):
    found = types.datasec_offset(".data..percpu", name)
    if found is None:
        raise btf.BtfError("no per-CPU variable %s in the .data..percpu DATASEC (pahole >= 1.18)" % name)
    return found


def thread_bound(threads):
    """The thread walk's bound for a target with `threads` threads: room to grow, a power of two."""
    bound = MIN_THREADS
    while bound < 2 * threads and bound < MAX_THREADS:
        bound *= 2
    return bound


# --- the reader -----------------------------------------------------------------------------


class BpfReader:
    """The target's counters, read by one loaded BPF program (see sampler.py for the interface)."""

    def __init__(self, pid, comm):
        self.pid = pid
        self.comm = comm
        syscall = check_prerequisites(read_lockdown_mode())
        started = time.monotonic()
        symbols = start_reading(_SYMBOLS)
        types = load_btf()
        try:
            if types.find(btf.ENUM, "bpf_prog_type") is None:
                raise btf.BtfError("enum bpf_prog_type")
            self.prog_type = types.enumerator("BPF_PROG_TYPE_SYSCALL")
        except btf.BtfError:
            raise HelperError(
                "unsupported-layout",
                "unsupported layout: enum bpf_prog_type has no " "BPF_PROG_TYPE_SYSCALL (Linux 5.14+)",
                "use --backend drgn",
            ) from None
        symbols = symbols()
        try:
            self.layout = describe_layout(types)
            self.era, self.slot_kind = decide_era(self.layout)
            self.indices = [types.enumerator(enumerator) for _, enumerator in COUNTER_ENUMERATORS]
            self.offsets = KernelOffsets(types, self.era, self.layout, self.indices, symbols, os.uname().machine)
        except btf.BtfError as e:
            raise HelperError(
                "unsupported-layout",
                "unsupported layout: %s" % e,
                "this kernel is laid out in a way the bpf backend does not know; use --backend drgn",
            ) from None
        self.btf_ms = (time.monotonic() - started) * 1000
        self.bpf = Bpf(syscall)
        self.test_run = None
        self.possible = read_cpu_list("possible")
        self.online_file = os.open("/sys/devices/system/cpu/online", os.O_RDONLY)
        self.cpus = max(self.possible) + 1
        if self.era == "percpu" and self.cpus > MAX_CPUS:
            raise HelperError(
                "unsupported-layout",
                "the bpf backend reads at most %d CPUs; this machine has %d possible" % (MAX_CPUS, self.cpus),
                "use --backend drgn",
            )
        self.load(MIN_THREADS)
        values = self.run(first=True)
        self.threads = values[self.ctx.index("nr_threads")]
        if self.era == "split-rss" and thread_bound(self.threads) > self.bound:
            self.load(thread_bound(self.threads))

    def load(self, bound):
        """(Re)builds and loads the program; `bound`: the thread walk's bound (split-rss era)."""
        started = time.monotonic()
        code, self.ctx = bpf_program.build(self.offsets, self.era, cpus=self.cpus, threads=bound)
        try:
            fd = self.bpf.load_syscall_program(self.prog_type, code, PROGRAM_NAME)
        except BpfError as e:
            raise self.refusal(e, "loading the program") from None
        if self.test_run:
            self.test_run.close()
        self.bound = bound
        self.insns = len(code) // 8
        self.test_run = TestRun(self.bpf, fd, self.ctx.size)
        self.pid_bytes = self.pid.to_bytes(8, "little")
        self.load_ms = (time.monotonic() - started) * 1000

    def refusal(self, error, what):
        """The HelperError for a failed bpf() call."""
        if error.errno in (1, 13, 38) and not error.log:  # EPERM, EACCES, ENOSYS
            return HelperError(
                "bpf-refused", "%s: bpf() was refused (%s)" % (what, os.strerror(error.errno)), REFUSED_HINT
            )
        last = [line for line in error.log.splitlines() if line.strip()][-3:]
        return HelperError(
            "internal",
            "%s: the kernel refused it (%s)%s"
            % (what, os.strerror(error.errno), ": " + " | ".join(last) if last else ""),
        )

    def run(self, first=False):
        """Runs the program once -> the decoded context, after the target checks."""
        try:
            raw = self.test_run.run(self.pid_bytes)
        except BpfError as e:
            raise self.refusal(e, "running the program") from None
        values = self.ctx.decode(raw)
        field = lambda key: values[self.ctx.index(key)]  # noqa: E731
        gone = HelperError("target-exited", "pid %d has exited" % self.pid)
        if field("status") != bpf_program.FOUND:
            raise HelperError("no-such-pid", "no process with pid %d" % self.pid) if first else gone
        if field("tid") != field("tgid") and first:  # (tgid is the initial namespace's: not for the hint)
            raise HelperError(
                "bad-args",
                "pid %d is a thread, not a process" % self.pid,
                "use its process's pid (Tgid in /proc/%d/status)" % self.pid,
            )
        problem = classify_target(field("flags"), exit_state=field("exit_state"), has_mm=bool(field("mm")))
        if problem:
            raise HelperError(problem, TARGET_ERRORS[problem].format(pid=self.pid, comm=self.comm)) if first else gone
        if field("faults"):
            raise HelperError(
                "self-check-failed",
                "a kernel read for pid %d failed (bpf_probe_read_kernel returned " "an error)" % self.pid,
            )
        return values

    def online_cpus(self):
        return read_cpu_list_fd(self.online_file)

    def batch(self, values, online):
        """percpu_counter_batch as the program read it, else what lib/percpu_counter.c computes."""
        if self.offsets.batch_address:
            return values[self.ctx.index("batch")]
        return percpu_batch(len(online))

    def hello_fields(self):
        page_size = os.sysconf("SC_PAGE_SIZE")
        values = self.run()
        online = self.online_cpus()
        fault_around = None
        if self.offsets.fault_around_address:
            raw = values[self.ctx.index("fault_around")]
            fault_around = (
                fault_around_pages(raw, None, page_size)
                if self.offsets.fault_around_is_pages
                else fault_around_pages(None, raw, page_size)
            )
        if self.era != "percpu":
            per_cpu_offsets = "none"
        else:
            per_cpu_offsets = "kallsyms" if self.offsets.per_cpu_offset_address else "runqueues"
        return {
            "backend": "bpf",
            "kernel": os.uname().release,
            "drgn": None,
            "page_size": page_size,
            "cpus": {"online": online, "possible": self.possible},
            "batch": self.batch(values, online),
            "era": self.era,
            "era_source": "type",
            "layout": self.layout.name,
            "slot_kind": self.slot_kind,
            "fault_around_pages": fault_around,
            "bpf": {
                "per_cpu_offsets": per_cpu_offsets,
                "insns": self.insns,
                "btf_ms": round(self.btf_ms, 1),
                "load_ms": round(self.load_ms, 1),
            },
        }

    def read_counters(self):
        """-> (threads, {counter name: reading}) for the era, after every check."""
        values = self.run()
        if self.era == "percpu":
            return values[self.ctx.index("nr_threads")], self.percpu_counters(values)
        if self.era == "split-rss":
            return self.split_rss_counters(values)
        counts = [values[self.ctx.index(("count", k))] for k in range(len(self.indices))]
        return values[self.ctx.index("nr_threads")], {
            name: counter_reading(count, count, []) for (name, _), count in zip(COUNTER_ENUMERATORS, counts)
        }

    def percpu_counters(self, values):
        ctx, offsets = self.ctx, self.offsets
        online = self.online_cpus()
        batch = self.batch(values, online)
        slots = {}
        for cpu in range(self.cpus):
            off = values[ctx.index(("off", cpu))]
            if values[ctx.index(("rq_cpu", cpu))] != cpu:
                raise self_check("per_cpu(runqueues, %d)->cpu is %d" % (cpu, values[ctx.index(("rq_cpu", cpu))]), cpu)
            if offsets.this_cpu_off_section_offset is not None and values[ctx.index(("this_cpu_off", cpu))] != off:
                raise self_check(
                    "per_cpu(this_cpu_off, %d) is %#x, the offset used is %#x"
                    % (cpu, values[ctx.index(("this_cpu_off", cpu))], off),
                    cpu,
                )
            first = ctx.index(("slots", cpu))
            slots[cpu] = values[first : first + 4]
            for k, pages in enumerate(slots[cpu]):
                if abs(pages) >= batch:
                    raise self_check(
                        "slot %s of CPU %d is %d pages, not within the batch (%d)"
                        % (COUNTER_ENUMERATORS[k][1], cpu, pages, batch),
                        cpu,
                    )
        counters = {}
        for k, (name, _) in enumerate(COUNTER_ENUMERATORS):
            count = values[ctx.index(("count", k))]
            residue = [{"slot": cpu, "pages": slots[cpu][k]} for cpu in online]
            counters[name] = counter_reading(count, count + sum(slot["pages"] for slot in residue), residue)
        return counters

    def split_rss_counters(self, values):
        ctx = self.ctx
        if values[ctx.index("walk_end")] != values[ctx.index("walk_head")]:
            threads = values[ctx.index("nr_threads")]
            if threads > MAX_THREADS:
                raise HelperError(
                    "self-check-failed",
                    "pid %d has %d threads; the bpf backend walks at most %d" % (self.pid, threads, MAX_THREADS),
                    "use --backend drgn for this process",
                )
            if threads > self.bound:  # the target grew: a longer walk
                self.load(thread_bound(threads))
                return self.split_rss_counters(self.run())
            raise HelperError(
                "self-check-failed",
                "the walk of pid %d's thread list did not come back to its head "
                "within %d threads (the list changed during the read)" % (self.pid, self.bound),
            )
        caches = []
        for i in range(self.bound):
            tid = values[ctx.index(("tid", i))]
            if not tid:
                break
            first = ctx.index(("cache", i))
            caches.append((tid, values[first : first + 4]))
        counters = {}
        for k, (name, _) in enumerate(COUNTER_ENUMERATORS):
            count = values[ctx.index(("count", k))]
            residue = [{"slot": tid, "pages": cache[self.indices[k]]} for tid, cache in caches]
            counters[name] = counter_reading(count, count + sum(slot["pages"] for slot in residue), residue)
        return len(caches), counters


def self_check(what, cpu):
    return HelperError(
        "self-check-failed",
        "self-check failed on CPU %d: %s" % (cpu, what),
        "the per-CPU offsets the bpf backend derived are wrong for this kernel; use --backend drgn",
    )


def read_cpu_list_fd(fd):
    """A sysfs CPU list re-read through an open descriptor (pread at 0 regenerates it)."""
    return parse_cpu_list(os.pread(fd, 4096, 0).decode())
