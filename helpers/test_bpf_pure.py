"""Tests of the bpf backend's pure parts: the assembler's encodings (checked byte by byte against
the instruction set's documented layout), the context layout, and the small parsers of
bpf_reader.py and kallsyms.py. The kernel's verdict on the whole program is in test_bpf_live.py.

    python3 -m unittest discover -s helpers -p 'test_*.py'
"""

import os
import struct
import unittest

from rssdrift_helper import bpf_asm, bpf_program, bpf_reader, kallsyms
from rssdrift_helper.bpf_asm import FP, JEQ, JNE, R0, R1, R6, R8, R9, Assembler, AssemblyError
from rssdrift_helper.proc import parse_cpu_list
from rssdrift_helper.protocol import HelperError


def assembled(build):
    asm = Assembler()
    build(asm)
    return asm.assemble().hex(" ", 8).split(" ")


class Encodings(unittest.TestCase):
    """Each expected word: opcode, dst|src<<4, off (LE s16), imm (LE s32), from the ISA document."""

    def test_alu_and_exit(self):
        def build(asm):
            asm.mov_imm(R0, 0)
            asm.mov_reg(R6, R1)
            asm.add_imm(R9, -2)
            asm.sub_reg(R9, R8)
            asm.mul_imm(R8, 16)
            asm.and_imm(R8, 63)
            asm.or_reg(R1, R0)
            asm.lsh_imm(R8, 3)
            asm.rsh_reg(R8, R9)
            asm.exit()

        self.assertEqual(
            assembled(build),
            [
                "b700000000000000",  # ALU64 | MOV | K
                "bf16000000000000",  # ALU64 | MOV | X, src r1 in the high nibble
                "07090000feffffff",  # ALU64 | ADD | K, imm -2
                "1f89000000000000",  # ALU64 | SUB | X
                "2708000010000000",  # ALU64 | MUL | K
                "570800003f000000",  # ALU64 | AND | K
                "4f01000000000000",  # ALU64 | OR | X
                "6708000003000000",  # ALU64 | LSH | K
                "7f98000000000000",  # ALU64 | RSH | X
                "9500000000000000",  # JMP | EXIT
            ],
        )

    def test_adding_zero_emits_nothing(self):
        asm = Assembler()
        asm.add_imm(R1, 0)
        self.assertEqual(len(asm), 0)

    def test_memory(self):
        def build(asm):
            asm.load(8, R1, FP, -8)
            asm.load(4, R8, R6, 0)
            asm.load(1, R8, FP, -16)
            asm.store(4, R6, 16, R8)
            asm.store(8, FP, -24, R0)

        self.assertEqual(
            assembled(build),
            [
                "79a1f8ff00000000",  # LDX | MEM | DW, r1 = *(u64 *)(r10 - 8)
                "6168000000000000",  # LDX | MEM | W
                "71a8f0ff00000000",  # LDX | MEM | B
                "6386100000000000",  # STX | MEM | W, *(u32 *)(r6 + 16) = r8
                "7b0ae8ff00000000",  # STX | MEM | DW
            ],
        )

    def test_wide_immediate(self):
        self.assertEqual(
            assembled(lambda asm: asm.load_imm64(R1, 0xFFFFFFFF81000000)), ["1801000000000081", "00000000ffffffff"]
        )

    def test_calls_and_jumps(self):
        def build(asm):
            asm.label("top")
            asm.call(bpf_asm.PROBE_READ_KERNEL)
            asm.jump_imm(JEQ, R1, 0, "out")
            asm.jump_reg(JNE, R8, R9, "top")
            asm.goto("out")
            asm.label("out")
            asm.exit()

        self.assertEqual(
            assembled(build),
            [
                "8500000071000000",  # JMP | CALL, helper 113
                "1501020000000000",  # JMP | JEQ | K, +2
                "5d98fdff00000000",  # JMP | JNE | X, -3 (back to the call)
                "0500000000000000",  # JMP | JA, +0
                "9500000000000000",
            ],
        )

    def test_label_mistakes(self):
        asm = Assembler()
        asm.goto("nowhere")
        with self.assertRaises(AssemblyError):
            asm.assemble()
        asm.label("here")
        with self.assertRaises(AssemblyError):
            asm.label("here")

    def test_a_jump_beyond_16_bits(self):
        asm = Assembler()
        asm.goto("far")
        for _ in range(32768):
            asm.mov_imm(R0, 0)
        asm.label("far")
        with self.assertRaisesRegex(AssemblyError, "too far"):
            asm.assemble()


class ContextLayout(unittest.TestCase):
    def test_fields_are_aligned_and_decoded_in_order(self):
        ctx = bpf_program.Context()
        ctx.add("a", "i")
        ctx.add("b", "q")
        ctx.add("c", "4i")
        ctx.add("d", "i")
        ctx.finish()
        self.assertEqual([ctx.offset(key) for key in "abcd"], [0, 8, 16, 32])
        self.assertEqual(ctx.size, 40)
        raw = struct.pack("<i4xq4ii4x", -7, 1 << 40, 1, -2, 3, -4, 9)
        values = ctx.decode(raw)
        self.assertEqual(values[ctx.index("b")], 1 << 40)
        self.assertEqual(values[ctx.index("c") : ctx.index("c") + 4], (1, -2, 3, -4))
        self.assertEqual((values[ctx.index("a")], values[ctx.index("d")]), (-7, 9))

    def test_the_biggest_contexts_fit_a_store_offset(self):
        self.assertLess(bpf_program.context_for("percpu", 4, cpus=bpf_reader.MAX_CPUS, this_cpu_off=True).size, 32768)
        self.assertLess(bpf_program.context_for("split-rss", 4, threads=bpf_reader.MAX_THREADS).size, 32768)
        with self.assertRaises(ValueError):
            bpf_program.context_for("split-rss", 4, threads=2 * bpf_reader.MAX_THREADS)


class ReaderDecisions(unittest.TestCase):
    def test_capabilities(self):
        status = "Name:\tx\nCapInh:\t0000000000000000\nCapEff:\t000000c000000000\n"
        caps = bpf_reader.effective_capabilities(status)
        self.assertEqual(caps, 1 << 38 | 1 << 39)  # CAP_PERFMON and CAP_BPF
        self.assertTrue(bpf_reader.may_use_bpf(1000, caps))
        self.assertTrue(bpf_reader.may_use_bpf(0, 0))
        self.assertTrue(bpf_reader.may_use_bpf(1000, 1 << 21))  # CAP_SYS_ADMIN
        self.assertFalse(bpf_reader.may_use_bpf(1000, 1 << 39))  # CAP_BPF alone cannot read the kernel
        self.assertFalse(bpf_reader.may_use_bpf(1000, 0))

    def test_missing_or_foreign_btf(self):
        for path in ("/nonexistent/vmlinux", "/proc/self/status"):
            with self.subTest(path=path), self.assertRaises(HelperError) as caught:
                bpf_reader.load_btf(path)
            self.assertEqual(caught.exception.code, "no-btf")
            self.assertIn("CONFIG_DEBUG_INFO_BTF", caught.exception.hint)

    def test_lockdown_confidentiality_refuses_before_anything_loads(self):
        with self.assertRaises(HelperError) as caught:
            bpf_reader.check_prerequisites("confidentiality")
        # a user without the privileges hears that first
        self.assertEqual(caught.exception.code, "lockdown" if os.geteuid() == 0 else "not-root")
        if os.geteuid() == 0:
            self.assertEqual(bpf_reader.check_prerequisites("integrity"), bpf_reader.syscall_number())

    def test_thread_bound(self):
        self.assertEqual(
            [bpf_reader.thread_bound(n) for n in (1, 32, 33, 300, 600, 5000)], [64, 64, 128, 1024, 1024, 1024]
        )

    def test_syscall_numbers(self):
        from rssdrift_helper.bpf_syscall import syscall_number

        self.assertEqual(
            (syscall_number("x86_64"), syscall_number("aarch64"), syscall_number("riscv64")), (321, 280, None)
        )

    def test_cpu_lists(self):
        self.assertEqual(parse_cpu_list("0-3,8,10-11\n"), [0, 1, 2, 3, 8, 10, 11])
        self.assertEqual(parse_cpu_list("0\n"), [0])

    def test_kallsyms(self):
        text = (
            b"ffffffff81000000 T _stext\n"
            b"ffffffff82a0c900 R __per_cpu_offset_end_not_it\n"
            b"ffffffff82a0c920 D __per_cpu_offset\n"
            b"0000000000000000 D __per_cpu_start\n"
            b"ffffffffc0001000 t helper\t[some_module]\n"
        )
        found = kallsyms.symbol_addresses(
            text, ("__per_cpu_offset", "__per_cpu_start", "percpu_counter_batch", "helper")
        )
        self.assertEqual(found, {"__per_cpu_offset": 0xFFFFFFFF82A0C920, "__per_cpu_start": 0})


if __name__ == "__main__":
    unittest.main()
