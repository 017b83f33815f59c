"""A small eBPF assembler: just the instructions the rss_stat reader needs, with labels.

Encodings from Documentation/bpf/standardization/instruction-set.rst. An instruction is 8 bytes:
opcode, dst and src registers (4 bits each), a signed 16-bit offset and a signed 32-bit
immediate; a 64-bit immediate load takes two.

    asm = Assembler()
    asm.mov_imm(R0, 0)
    asm.jump_imm(JEQ, R1, 0, "out")
    asm.label("out")
    asm.exit()
    code = asm.assemble()
"""

import struct

R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, FP = range(11)

# instruction classes, sizes and modes
_LD, _LDX, _STX, _JMP, _ALU64 = 0x00, 0x01, 0x03, 0x05, 0x07
SIZE = {1: 0x10, 2: 0x08, 4: 0x00, 8: 0x18}
_IMM, _MEM = 0x00, 0x60
_K, _X = 0x00, 0x08

# ALU operations
_ADD, _SUB, _MUL, _OR, _AND, _LSH, _RSH, _MOV = 0x00, 0x10, 0x20, 0x40, 0x50, 0x60, 0x70, 0xB0

# jump operations (64-bit compares)
JA, JEQ, JGT, JGE, JSET, JNE, JLT = 0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0xA0
_CALL, _EXIT = 0x80, 0x90

# helper function ids (include/uapi/linux/bpf.h, enum bpf_func_id)
GET_CURRENT_TASK = 35
PROBE_READ_KERNEL = 113

_INSN = struct.Struct("<BBhi")


def _s32(value):
    """An immediate as the signed 32-bit field holds it (0xFFFFFFFF is -1)."""
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value >= 1 << 31 else value


def encode(code, dst=0, src=0, off=0, imm=0):
    """One instruction's 8 bytes."""
    return _INSN.pack(code, (src << 4) | dst, off, _s32(imm))


class AssemblyError(Exception):
    """A label used but never placed, placed twice, or a jump too far for 16 bits."""


class Assembler:
    """Collects instructions; jumps name labels, resolved by assemble()."""

    def __init__(self):
        self._insns = []  # (code, dst, src, off, imm), or (code, dst, src, label, imm) for jumps
        self._labels = {}

    def __len__(self):
        return len(self._insns)

    def _emit(self, code, dst=0, src=0, off=0, imm=0):
        self._insns.append((code, dst, src, off, imm))

    # --- arithmetic (64-bit) ------------------------------------------------------------------

    def mov_imm(self, dst, imm):
        self._emit(_ALU64 | _MOV | _K, dst, imm=imm)

    def mov_reg(self, dst, src):
        self._emit(_ALU64 | _MOV | _X, dst, src)

    def add_imm(self, dst, imm):
        if imm:
            self._emit(_ALU64 | _ADD | _K, dst, imm=imm)

    def add_reg(self, dst, src):
        self._emit(_ALU64 | _ADD | _X, dst, src)

    def sub_reg(self, dst, src):
        self._emit(_ALU64 | _SUB | _X, dst, src)

    def mul_imm(self, dst, imm):
        self._emit(_ALU64 | _MUL | _K, dst, imm=imm)

    def or_reg(self, dst, src):
        self._emit(_ALU64 | _OR | _X, dst, src)

    def and_imm(self, dst, imm):
        self._emit(_ALU64 | _AND | _K, dst, imm=imm)

    def lsh_imm(self, dst, imm):
        self._emit(_ALU64 | _LSH | _K, dst, imm=imm)

    def rsh_imm(self, dst, imm):
        self._emit(_ALU64 | _RSH | _K, dst, imm=imm)

    def rsh_reg(self, dst, src):
        self._emit(_ALU64 | _RSH | _X, dst, src)

    def load_imm64(self, dst, value):
        """dst = a 64-bit constant (two instruction slots)."""
        value &= (1 << 64) - 1
        self._emit(_LD | SIZE[8] | _IMM, dst, imm=value & 0xFFFFFFFF)
        self._emit(0, imm=value >> 32)

    # --- memory -------------------------------------------------------------------------------

    def load(self, size, dst, src, off):
        """dst = *(u<size*8> *)(src + off), zero-extended."""
        self._emit(_LDX | _MEM | SIZE[size], dst, src, off)

    def store(self, size, dst, off, src):
        """*(u<size*8> *)(dst + off) = src."""
        self._emit(_STX | _MEM | SIZE[size], dst, src, off)

    # --- control flow -------------------------------------------------------------------------

    def call(self, helper):
        self._emit(_JMP | _CALL, imm=helper)

    def exit(self):
        self._emit(_JMP | _EXIT)

    def label(self, name):
        if name in self._labels:
            raise AssemblyError("label %s placed twice" % name)
        self._labels[name] = len(self._insns)

    def jump_imm(self, op, dst, imm, label):
        """if (dst <op> imm) goto label."""
        self._insns.append((_JMP | op | _K, dst, 0, label, imm))

    def jump_reg(self, op, dst, src, label):
        """if (dst <op> src) goto label."""
        self._insns.append((_JMP | op | _X, dst, src, label, 0))

    def goto(self, label):
        self._insns.append((_JMP | JA, 0, 0, label, 0))

    def assemble(self):
        """The program's bytes, with every jump's offset resolved."""
        out = []
        for position, (code, dst, src, off, imm) in enumerate(self._insns):
            if isinstance(off, str):
                if off not in self._labels:
                    raise AssemblyError("label %s is never placed" % off)
                off = self._labels[off] - position - 1
                if not -32768 <= off <= 32767:
                    raise AssemblyError("jump to %s is too far (%d instructions)" % (self._insns[position][3], off))
            out.append(encode(code, dst, src, off, imm))
        return b"".join(out)
