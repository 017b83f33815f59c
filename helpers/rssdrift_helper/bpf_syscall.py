"""bpf(2) through ctypes: load a BPF_PROG_TYPE_SYSCALL program and run it with BPF_PROG_TEST_RUN.

Only the two commands the reader needs. A syscall program has no attach point: it runs when
asked, in the caller's context, and its "context" is a buffer of the caller's that the kernel
copies in and back out (kernel/bpf/syscall.c, bpf_prog_test_run_syscall).
"""

import ctypes
import errno
import os
import struct

# The bpf syscall's number, per architecture (arch/*/include/uapi/asm/unistd*.h).
SYSCALL_NUMBERS = {"x86_64": 321, "aarch64": 280}

# include/uapi/linux/bpf.h
BPF_PROG_LOAD = 5
BPF_PROG_TEST_RUN = 10
BPF_F_SLEEPABLE = 1 << 4
BPF_LOG_LEVEL_VERBOSE = 1

# union bpf_attr, the BPF_PROG_LOAD fields we set: prog_type, insn_cnt, insns, license,
# log_level, log_size, log_buf, kern_version, prog_flags, prog_name
_PROG_LOAD = struct.Struct("<IIQQIIQII16s")
# the BPF_PROG_TEST_RUN fields up to ctx_out: prog_fd, retval, data_size_in, data_size_out,
# data_in, data_out, repeat, duration, ctx_size_in, ctx_size_out, ctx_in, ctx_out
_TEST_RUN = struct.Struct("<IIIIQQIIIIQQ")
_ATTR_SIZE = 128  # larger than both; the kernel accepts a longer attr when the tail is zero


class BpfError(Exception):
    """bpf(2) failed: errno, and for a refused load the verifier's log."""

    def __init__(self, errno_, what, log=""):
        super().__init__("%s: %s" % (what, os.strerror(errno_)))
        self.errno = errno_
        self.log = log


def syscall_number(machine=None):
    """The bpf syscall number on this architecture, or None for one we do not know."""
    return SYSCALL_NUMBERS.get(machine or os.uname().machine)


class Bpf:
    """The bpf syscall of this process."""

    def __init__(self, number):
        self.number = number
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.libc.syscall.restype = ctypes.c_long

    def call(self, command, attr, what):
        """bpf(command, attr, sizeof attr) -> its non-negative result; raises BpfError."""
        result = self.libc.syscall(ctypes.c_long(self.number), ctypes.c_int(command), attr, ctypes.c_uint(len(attr)))
        if result < 0:
            raise BpfError(ctypes.get_errno(), what)
        return result

    def load_syscall_program(self, prog_type, code, name, log_size=1 << 20):
        """Loads a sleepable program of `prog_type` (BPF_PROG_TYPE_SYSCALL) -> its fd. On a refusal
        the program is loaded again with the verifier's log, which the BpfError carries."""
        insns = ctypes.create_string_buffer(code, len(code))
        license_ = ctypes.create_string_buffer(b"GPL")  # bpf_probe_read_kernel is a GPL-only helper

        def attempt(log_level, log):
            attr = ctypes.create_string_buffer(_ATTR_SIZE)
            _PROG_LOAD.pack_into(
                attr,
                0,
                prog_type,
                len(code) // 8,
                ctypes.addressof(insns),
                ctypes.addressof(license_),
                log_level,
                len(log) if log_level else 0,
                ctypes.addressof(log) if log_level else 0,
                0,
                BPF_F_SLEEPABLE,
                name.encode()[:15],
            )
            return self.call(BPF_PROG_LOAD, attr, "BPF_PROG_LOAD")

        try:
            return attempt(0, None)
        except BpfError as e:
            if e.errno in (errno.EPERM, errno.ENOSYS):
                raise
            log = ctypes.create_string_buffer(log_size)
            try:
                fd = attempt(BPF_LOG_LEVEL_VERBOSE, log)
            except BpfError as again:
                again.log = log.value.decode("utf-8", "replace")
                raise again from None
            return fd  # refused once, accepted with a log: use it


class TestRun:
    """Runs one loaded syscall program again and again on one context buffer (no allocation per run)."""

    def __init__(self, bpf, prog_fd, ctx_size):
        self.bpf = bpf
        self.prog_fd = prog_fd
        self.ctx = ctypes.create_string_buffer(ctx_size)
        self.attr = ctypes.create_string_buffer(_ATTR_SIZE)
        _TEST_RUN.pack_into(self.attr, 0, prog_fd, 0, 0, 0, 0, 0, 0, 0, ctx_size, 0, ctypes.addressof(self.ctx), 0)

    def run(self, ctx_in):
        """Runs the program on a copy of ctx_in (bytes, at most the context's size, the rest zero)
        -> the context as the program left it."""
        ctypes.memset(self.ctx, 0, len(self.ctx))
        ctypes.memmove(self.ctx, ctx_in, len(ctx_in))
        self.bpf.call(BPF_PROG_TEST_RUN, self.attr, "BPF_PROG_TEST_RUN")
        return self.ctx.raw

    def close(self):
        """Unloads the program (its last reference is our fd)."""
        os.close(self.prog_fd)
