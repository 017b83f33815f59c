"""The BPF program that reads one process's mm->rss_stat, assembled from the running kernel's
offsets (see bpf_reader.py for where each offset comes from).

It is a BPF_PROG_TYPE_SYSCALL program run with BPF_PROG_TEST_RUN. Its context is a buffer of
ours: the pid goes in, everything it read comes out. It only calls bpf_get_current_task() and
bpf_probe_read_kernel() and only writes its own context and stack, so it is read-only by
construction, and the verifier proves it cannot fault or loop. Every kernel read goes through
bpf_probe_read_kernel(), which returns zeros (and an error, which the program collects) for a
bad address. The program has no loops: what repeats per CPU or per thread is unrolled.

What it does, in kernel terms:
1. find_pid_ns(pid, task_active_pid_ns(current)) by hand: walk the xarray of the caller's pid
   namespace, check pid->numbers[ns->level] == {pid, ns}, then pid->tasks[PIDTYPE_PID].first
   gives the task. A pid seen inside a container works.
2. The task's flags, exit_state, pid, tgid, signal->nr_threads, mm.
3. Each counter's count: fbc->count (percpu era) or mm->rss_stat.count[i] (split-rss era).
4. Per CPU n (percpu era): the per-CPU offset, rq->cpu of per_cpu(runqueues, n) and, on x86,
   per_cpu(this_cpu_off, n) to check it, and each counter's slot *per_cpu_ptr(fbc->counters, n).
   Per thread (split-rss era): a bounded walk of signal->thread_head, each thread's tid and
   task->rss_stat.count[].
"""

import struct

from .bpf_asm import FP, GET_CURRENT_TASK, JEQ, JGT, JNE, PROBE_READ_KERNEL, R0, R1, R2, R3, R6, R7, R8, R9, Assembler

# ctx "status" values
FOUND, NOT_FOUND = 1, 2

# What the program keeps on its stack (offsets from the frame pointer; the stack is 512 bytes).
_SCRATCH = -8  # every bpf_probe_read_kernel() lands here first (16 bytes)
_FAULTS = -24  # the OR of every bpf_probe_read_kernel() result: non-zero if one failed
_NS, _IDX, _NODE, _PID, _MM, _PCPU_START, _CFS_RQS, _SIGNAL = -32, -40, -48, -56, -64, -72, -80, -88
_COUNTERS = -96  # four percpu_counter.counters pointers, down to -120


class Context:
    """The context buffer's layout: named fields at fixed offsets, decoded by one struct."""

    _ALIGN = {"q": 8, "i": 4, "4i": 8}
    _SIZE = {"q": 8, "i": 4, "4i": 16}

    def __init__(self):
        self.size = 0
        self._format = ["<"]
        self._fields = {}  # key -> (byte offset, index in the decoded tuple)
        self._items = 0

    def add(self, key, kind):
        """Places a field: "q" s64, "i" s32, "4i" four s32 (decoded as four values)."""
        pad = -self.size % self._ALIGN[kind]
        if pad:
            self._format.append("%dx" % pad)
        self._fields[key] = (self.size + pad, self._items)
        self.size += pad + self._SIZE[kind]
        self._format.append(kind)
        self._items += 4 if kind == "4i" else 1

    def offset(self, key):
        return self._fields[key][0]

    def index(self, key):
        """Where the field's (first) value is in decode()'s tuple."""
        return self._fields[key][1]

    def finish(self):
        """Pads to whole words and compiles the decoder; returns self."""
        self.size += -self.size % 8
        if self.size > 32767:  # stores take a signed 16-bit offset from the context pointer
            raise ValueError("a context of %d bytes is beyond a store's reach" % self.size)
        self._struct = struct.Struct(
            "".join(self._format) + "%dx" % (self.size - struct.calcsize("".join(self._format)))
        )
        return self

    def decode(self, raw):
        return self._struct.unpack(raw)


def header_context(counters):
    """The fields every program has; `counters` is the number of counters (4)."""
    ctx = Context()
    for key in (
        "pid",
        "status",
        "faults",
        "task",
        "mm",
        "batch",
        "fault_around",
        "pcpu_start",
        "walk_head",
        "walk_end",
    ):
        ctx.add(key, "q")
    for key in ("flags", "exit_state", "tid", "tgid", "nr_threads"):
        ctx.add(key, "i")
    for k in range(counters):
        ctx.add(("count", k), "q")
    return ctx


# --- building blocks ------------------------------------------------------------------------


def read_kernel(asm, slot, src, offset, size):
    """*(fp + slot) = the `size` bytes at kernel address src + offset; clobbers r0-r5.
    The result is OR-ed into the fault word, so that one failed read taints the run."""
    asm.mov_reg(R3, src)
    asm.add_imm(R3, offset)
    asm.mov_reg(R1, FP)
    asm.add_imm(R1, slot)
    asm.mov_imm(R2, size)
    asm.call(PROBE_READ_KERNEL)
    asm.load(8, R1, FP, _FAULTS)
    asm.or_reg(R1, R0)
    asm.store(8, FP, _FAULTS, R1)


def fetch(asm, dst, src, offset, size):
    """dst = the `size`-byte value at kernel address src + offset (zero-extended)."""
    read_kernel(asm, _SCRATCH, src, offset, size)
    asm.load(size, dst, FP, _SCRATCH)


def to_ctx(asm, ctx, key, src, size=8):
    asm.store(size, R6, ctx.offset(key), src)


def from_stack(asm, dst, slot):
    asm.load(8, dst, FP, slot)


def finish(asm, ctx, status):
    """Stores the fault word and the status, and returns (inline: no jump may span the unrolled parts)."""
    from_stack(asm, R1, _FAULTS)
    to_ctx(asm, ctx, "faults", R1)
    asm.mov_imm(R1, status)
    to_ctx(asm, ctx, "status", R1)
    asm.mov_imm(R0, 0)
    asm.exit()


# --- the parts of the program -----------------------------------------------------------------


def find_task(asm, k, ctx):
    """Leaves the target's task_struct in r7, or stores NOT_FOUND and exits.
    k: the kernel's offsets (bpf_reader.KernelOffsets)."""
    asm.call(GET_CURRENT_TASK)
    asm.mov_reg(R9, R0)
    fetch(asm, R9, R9, k.task_thread_pid, 8)  # current's struct pid
    fetch(asm, R8, R9, k.pid_level, 4)
    asm.mul_imm(R8, k.upid_size)
    asm.add_reg(R9, R8)
    fetch(asm, R9, R9, k.pid_numbers + k.upid_ns, 8)  # its pid namespace
    asm.store(8, FP, _NS, R9)
    fetch(asm, R8, R9, k.ns_idr_base, 4)
    asm.load(4, R7, R6, 0)  # the pid asked for
    asm.sub_reg(R7, R8)
    asm.store(8, FP, _IDX, R7)  # its index in the IDR
    fetch(asm, R9, R9, k.ns_xa_head, 8)
    # xa_load(): descend while the entry is a node (internal, low bits 10, above 4096)
    for level in range(k.xa_max_depth):
        asm.mov_reg(R8, R9)
        asm.and_imm(R8, 3)
        asm.jump_imm(JNE, R8, 2, "walked")
        asm.jump_imm(JGT, R9, 4096, "node%d" % level)
        asm.goto("walked")
        asm.label("node%d" % level)
        asm.add_imm(R9, -2)
        asm.store(8, FP, _NODE, R9)
        fetch(asm, R8, R9, k.xa_node_shift, 1)
        from_stack(asm, R7, _IDX)
        asm.rsh_reg(R7, R8)
        if level == 0:
            asm.jump_imm(JGT, R7, k.xa_chunk_mask, "not_found")  # beyond the tree
        asm.and_imm(R7, k.xa_chunk_mask)
        asm.lsh_imm(R7, 3)
        from_stack(asm, R9, _NODE)
        asm.add_reg(R9, R7)
        fetch(asm, R9, R9, k.xa_node_slots, 8)
    asm.label("walked")
    asm.mov_reg(R8, R9)
    asm.and_imm(R8, 3)
    asm.jump_imm(JNE, R8, 0, "not_found")  # still internal: a deeper tree than we walk, or a retry entry
    asm.jump_imm(JEQ, R9, 0, "not_found")
    asm.store(8, FP, _PID, R9)
    # the struct pid must carry {pid, ns} at the namespace's level
    from_stack(asm, R8, _NS)
    fetch(asm, R8, R8, k.ns_level, 4)
    asm.mul_imm(R8, k.upid_size)
    asm.add_reg(R9, R8)
    fetch(asm, R8, R9, k.pid_numbers + k.upid_nr, 4)
    asm.load(4, R7, R6, 0)
    asm.jump_reg(JNE, R8, R7, "not_found")
    fetch(asm, R8, R9, k.pid_numbers + k.upid_ns, 8)
    from_stack(asm, R7, _NS)
    asm.jump_reg(JNE, R8, R7, "not_found")
    from_stack(asm, R9, _PID)
    fetch(asm, R9, R9, k.pid_tasks, 8)  # pid->tasks[PIDTYPE_PID].first
    asm.jump_imm(JEQ, R9, 0, "not_found")
    asm.add_imm(R9, -k.task_pid_links)
    asm.mov_reg(R7, R9)
    asm.goto("found")
    asm.label("not_found")
    finish(asm, ctx, NOT_FOUND)
    asm.label("found")


def read_task(asm, k, ctx):
    """The task's identity and state into the context; mm in r8 and on the stack."""
    to_ctx(asm, ctx, "task", R7)
    for key, offset in (
        ("flags", k.task_flags),
        ("exit_state", k.task_exit_state),
        ("tid", k.task_pid),
        ("tgid", k.task_tgid),
    ):
        fetch(asm, R8, R7, offset, 4)
        to_ctx(asm, ctx, key, R8, 4)
    fetch(asm, R9, R7, k.task_signal, 8)
    asm.store(8, FP, _SIGNAL, R9)
    fetch(asm, R8, R9, k.signal_nr_threads, 4)
    to_ctx(asm, ctx, "nr_threads", R8, 4)
    fetch(asm, R8, R7, k.task_mm, 8)
    to_ctx(asm, ctx, "mm", R8)
    asm.store(8, FP, _MM, R8)
    asm.jump_imm(JNE, R8, 0, "has_mm")
    finish(asm, ctx, FOUND)  # no mm: a kernel thread or an exiting task, told apart in Python
    asm.label("has_mm")


def read_globals(asm, k, ctx):
    """percpu_counter_batch and fault_around_{bytes,pages}, where kallsyms gave their addresses."""
    for key, address, size in (("batch", k.batch_address, 4), ("fault_around", k.fault_around_address, 8)):
        if address:
            asm.load_imm64(R9, address)
            fetch(asm, R8, R9, 0, size)
            to_ctx(asm, ctx, key, R8, size)


def read_counts(asm, k, ctx):
    """Each counter's count (fbc->count, or the atomic mm->rss_stat.count[i])."""
    for slot, offset in enumerate(k.count_offsets):
        from_stack(asm, R9, _MM)
        fetch(asm, R8, R9, offset, 8)
        to_ctx(asm, ctx, ("count", slot), R8)


def find_pcpu_start(asm, k, ctx):
    """The link address of the per-CPU section, on the stack and in the context: from kallsyms
    (__per_cpu_start), else from the root cgroup's static per-CPU rstat pointer, which is the
    link address of a per-CPU variable whose section offset BTF gives."""
    if k.pcpu_start is not None:
        asm.load_imm64(R9, k.pcpu_start)
    else:
        asm.call(GET_CURRENT_TASK)
        asm.mov_reg(R9, R0)
        fetch(asm, R9, R9, k.task_cgroups, 8)
        fetch(asm, R9, R9, k.css_set_dfl_cgrp, 8)
        fetch(asm, R9, R9, k.cgroup_root, 8)
        fetch(asm, R9, R9, k.root_rstat_pointer, 8)
        asm.load_imm64(R8, k.root_rstat_section_offset)
        asm.sub_reg(R9, R8)
    asm.store(8, FP, _PCPU_START, R9)
    to_ctx(asm, ctx, "pcpu_start", R9)


def read_per_cpu(asm, k, ctx, cpus):
    """Per possible CPU: its per-CPU offset, the checks, and each counter's slot."""
    for slot, offset in enumerate(k.counters_offsets):
        from_stack(asm, R9, _MM)
        fetch(asm, R8, R9, offset, 8)  # fbc->counters, a __percpu pointer
        asm.store(8, FP, _COUNTERS - 8 * slot, R8)
    if k.per_cpu_offset_address is None:
        # per_cpu(runqueues, n) is current->sched_task_group->cfs_rq[n]->rq
        asm.call(GET_CURRENT_TASK)
        asm.mov_reg(R9, R0)
        fetch(asm, R9, R9, k.task_sched_task_group, 8)
        fetch(asm, R9, R9, k.task_group_cfs_rq, 8)
        asm.store(8, FP, _CFS_RQS, R9)
    for cpu in range(cpus):
        if k.per_cpu_offset_address is not None:
            asm.load_imm64(R9, k.per_cpu_offset_address)
            fetch(asm, R7, R9, 8 * cpu, 8)  # __per_cpu_offset[cpu]
        else:
            from_stack(asm, R9, _CFS_RQS)
            fetch(asm, R9, R9, 8 * cpu, 8)
            fetch(asm, R7, R9, k.cfs_rq_rq, 8)
            from_stack(asm, R8, _PCPU_START)
            asm.sub_reg(R7, R8)
            asm.add_imm(R7, -k.runqueues_section_offset)
        to_ctx(asm, ctx, ("off", cpu), R7)
        from_stack(asm, R9, _PCPU_START)
        asm.add_reg(R9, R7)
        fetch(asm, R8, R9, k.runqueues_section_offset + k.rq_cpu, 4)
        to_ctx(asm, ctx, ("rq_cpu", cpu), R8, 4)
        if k.this_cpu_off_section_offset is not None:
            from_stack(asm, R9, _PCPU_START)
            asm.add_reg(R9, R7)
            fetch(asm, R8, R9, k.this_cpu_off_section_offset, 8)
            to_ctx(asm, ctx, ("this_cpu_off", cpu), R8)
        for slot in range(len(k.counters_offsets)):
            from_stack(asm, R9, _COUNTERS - 8 * slot)
            asm.add_reg(R9, R7)
            fetch(asm, R8, R9, 0, 4)
            asm.store(4, R6, ctx.offset(("slots", cpu)) + 4 * slot, R8)


def walk_threads(asm, k, ctx, bound):
    """Up to `bound` threads of signal->thread_head: each one's tid and task->rss_stat.count[].
    A thread list longer than the bound leaves walk_end != walk_head, which Python reports."""
    from_stack(asm, R9, _SIGNAL)
    asm.add_imm(R9, k.signal_thread_head)
    to_ctx(asm, ctx, "walk_head", R9)
    asm.mov_reg(R7, R9)  # r7 = the head, for the whole walk
    fetch(asm, R9, R9, k.list_next, 8)  # r9 = the node being visited
    for i in range(bound):
        asm.jump_reg(JEQ, R9, R7, "thread%d" % i)  # back at the head: skip the rest cheaply
        asm.mov_reg(R8, R9)
        asm.add_imm(R8, -k.task_thread_node)  # its task_struct
        fetch(asm, R0, R8, k.task_pid, 4)
        asm.store(4, R6, ctx.offset(("tid", i)), R0)
        read_kernel(asm, _SCRATCH - 8, R8, k.task_rss_stat_count, 16)
        asm.load(8, R0, FP, _SCRATCH - 8)
        asm.store(8, R6, ctx.offset(("cache", i)), R0)
        asm.load(8, R0, FP, _SCRATCH)
        asm.store(8, R6, ctx.offset(("cache", i)) + 8, R0)
        fetch(asm, R9, R9, k.list_next, 8)
        asm.label("thread%d" % i)
    to_ctx(asm, ctx, "walk_end", R9)


def context_for(era, counters, cpus=0, threads=0, this_cpu_off=False):
    """The context of a program for `era` with `cpus` possible CPUs or a walk of `threads`."""
    ctx = header_context(counters)
    if era == "percpu":
        for cpu in range(cpus):
            ctx.add(("off", cpu), "q")
            if this_cpu_off:
                ctx.add(("this_cpu_off", cpu), "q")
            ctx.add(("rq_cpu", cpu), "i")
            ctx.add(("slots", cpu), "4i")
    elif era == "split-rss":
        for i in range(threads):
            ctx.add(("tid", i), "i")
            ctx.add(("cache", i), "4i")
    return ctx.finish()


def build(k, era, cpus=0, threads=0):
    """-> (the program's bytes, its Context). k: bpf_reader.KernelOffsets; cpus: how many per-CPU
    areas to read (the highest possible CPU id + 1); threads: the walk's bound (split-rss)."""
    ctx = context_for(era, len(k.count_offsets), cpus, threads, k.this_cpu_off_section_offset is not None)
    asm = Assembler()
    asm.mov_reg(R6, R1)  # r6 = ctx, for the whole program
    asm.mov_imm(R0, 0)
    asm.store(8, FP, _FAULTS, R0)
    find_task(asm, k, ctx)
    read_task(asm, k, ctx)
    read_globals(asm, k, ctx)
    read_counts(asm, k, ctx)
    if era == "percpu":
        find_pcpu_start(asm, k, ctx)
        read_per_cpu(asm, k, ctx, cpus)
    elif era == "split-rss":
        walk_threads(asm, k, ctx, threads)
    finish(asm, ctx, FOUND)
    return asm.assemble(), ctx
