"""Tests of rssdrift_helper/btf.py: a tiny hand-built BTF blob whose every answer is known, and
the running kernel's own /sys/kernel/btf/vmlinux (skipped, loudly, where the kernel has none).

    python3 -m unittest discover -s helpers -p 'test_*.py'
"""

import os
import struct
import unittest

from rssdrift_helper import btf


class BlobBuilder:
    """Builds a BTF blob type by type, the way pahole lays it out (header, types, strings)."""

    def __init__(self):
        self.strings = b"\0"
        self.types = b""
        self.count = 0

    def string(self, name):
        """The name's offset; each name is stored once, as in the kernel's BTF."""
        if not name:
            return 0
        found = self.strings.find(b"\0" + name.encode() + b"\0")
        if found >= 0:
            return found + 1
        offset = len(self.strings)
        self.strings += name.encode() + b"\0"
        return offset

    def add(self, kind, name, vlen=0, size_or_type=0, tail=(), kflag=0):
        """-> the new type's id; tail: the kind-specific u32 words."""
        info = kflag << 31 | kind << 24 | vlen
        self.types += struct.pack("<III", self.string(name), info, size_or_type)
        self.types += struct.pack("<%dI" % len(tail), *[word & 0xFFFFFFFF for word in tail])
        self.count += 1
        return self.count

    def members(self, *members):
        """(name, type id, bit offset)... -> the tail of a struct or union."""
        return [word for name, type_id, bits in members for word in (self.string(name), type_id, bits)]

    def blob(self):
        header = struct.pack("<HBBIIIII", btf.MAGIC, 1, 0, 24, 0, len(self.types), len(self.types), len(self.strings))
        return header + self.types + self.strings


def tiny_btf():
    b = BlobBuilder()
    int_ = b.add(btf.INT, "int", size_or_type=4, tail=[32])
    b.add(btf.STRUCT, "outer", vlen=0, size_or_type=0)  # an empty twin first: find() must skip it
    inner = b.add(btf.STRUCT, "inner", vlen=2, size_or_type=8, tail=b.members(("a", int_, 0), ("b", int_, 32)))
    array = b.add(btf.ARRAY, None, tail=[int_, int_, 4])
    union = b.add(btf.UNION, None, vlen=1, size_or_type=8, tail=b.members(("in", inner, 0)))
    outer = b.add(
        btf.STRUCT,
        "outer",
        vlen=3,
        size_or_type=32,
        tail=b.members(("x", int_, 0), (None, union, 64), ("arr", array, 128)),
    )
    b.add(btf.TYPEDEF, "outer_t", size_or_type=outer)
    b.add(btf.PTR, None, size_or_type=int_)
    b.add(btf.ENUM, "colour", vlen=2, size_or_type=4, tail=[b.string("RED"), 0, b.string("BLUE"), -2])
    b.add(btf.FUNC_PROTO, None, vlen=1, size_or_type=int_, tail=[b.string("arg"), int_])
    var = b.add(btf.VAR, "percpu_thing", size_or_type=int_, tail=[1])
    b.add(btf.DATASEC, ".data..percpu", vlen=1, size_or_type=64, tail=[var, 48, 4])
    b.add(btf.ENUM64, "big", vlen=1, size_or_type=8, tail=[b.string("HUGE"), 5, 1])
    b.add(btf.STRUCT, "bits", vlen=1, size_or_type=4, kflag=1, tail=b.members(("flag", int_, 3 << 24 | 5)))
    return btf.Btf(b.blob()), {"int": int_, "inner": inner, "array": array, "outer": outer}


class HandBuiltBlob(unittest.TestCase):
    def setUp(self):
        self.types, self.ids = tiny_btf()

    def test_every_type_is_found_by_walking(self):
        self.assertEqual(len(self.types.starts), 14)
        self.assertEqual([self.types.kind(i) for i in (1, 4, 9, 12)], [btf.INT, btf.ARRAY, btf.ENUM, btf.DATASEC])

    def test_find_skips_the_empty_twin(self):
        self.assertEqual(self.types.struct("outer"), self.ids["outer"])
        self.assertIsNone(self.types.find(btf.STRUCT, "nowhere"))
        self.assertIsNone(self.types.find(btf.UNION, "outer"))

    def test_member_offsets_through_anonymous_unions(self):
        self.assertEqual(self.types.member_offset("outer", "x"), (0, self.ids["int"]))
        self.assertEqual(self.types.member_offset("outer", "in"), (8, self.ids["inner"]))
        self.assertEqual(self.types.member_offset("outer", "in.b"), (12, self.ids["int"]))
        self.assertEqual(self.types.member_offset("outer", "arr"), (16, self.ids["array"]))

    def test_a_missing_member_names_itself(self):
        with self.assertRaises(btf.BtfError) as caught:
            self.types.member_offset("outer", "in.c")
        self.assertEqual(str(caught.exception), "struct outer has no member in.c")
        self.assertFalse(self.types.has_member("outer", "y"))
        with self.assertRaises(btf.BtfError):
            self.types.struct("mm_struct")

    def test_bitfields_are_not_offsets(self):
        with self.assertRaises(btf.BtfError):
            self.types.member_offset("bits", "flag")

    def test_names_as_drgn_spells_them(self):
        self.assertEqual(self.types.type_name(self.ids["array"]), "int [4]")
        self.assertEqual(self.types.type_name(self.ids["outer"]), "struct outer")
        self.assertEqual(self.types.type_name(8), "int *")
        self.assertEqual(self.types.type_name(0), "void")

    def test_sizes(self):
        self.assertEqual(self.types.size(self.ids["array"]), 16)
        self.assertEqual(self.types.size(7), 32)  # through the typedef

    def test_enumerators(self):
        self.assertEqual(self.types.enumerator("RED"), 0)
        self.assertEqual(self.types.enumerator("BLUE"), -2)
        self.assertEqual(self.types.enumerator("HUGE"), 1 << 32 | 5)
        with self.assertRaises(btf.BtfError):
            self.types.enumerator("arg")  # a parameter's name, not an enumerator

    def test_per_cpu_variables(self):
        self.assertEqual(self.types.datasec_offset(".data..percpu", "percpu_thing"), 48)
        self.assertIsNone(self.types.datasec_offset(".data..percpu", "int"))
        self.assertIsNone(self.types.datasec_offset(".data..other", "percpu_thing"))

    def test_not_btf(self):
        for data in (b"", b"\xeb\x9f" + bytes(30)):  # nothing, and big-endian BTF
            with self.subTest(data=data[:4]), self.assertRaises(btf.BtfError):
                btf.Btf(data)

    def test_a_truncated_type_section(self):
        b = BlobBuilder()
        b.add(btf.STRUCT, "cut", vlen=2, size_or_type=8, tail=[0, 0, 0])  # two members announced, one there
        with self.assertRaises(btf.BtfError):
            btf.Btf(b.blob())


@unittest.skipUnless(
    os.path.exists(btf.VMLINUX), "LOUD SKIP: this kernel has no %s (CONFIG_DEBUG_INFO_BTF)" % btf.VMLINUX
)
class RunningKernel(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.types = btf.Btf.from_file()

    def test_list_head_is_two_pointers(self):
        list_head = self.types.struct("list_head")
        self.assertEqual(self.types.size(list_head), 16)
        self.assertEqual(self.types.member_offset("list_head", "next")[0], 0)
        self.assertEqual(self.types.member_offset("list_head", "prev")[0], 8)

    def test_a_found_struct_is_named_so(self):
        for name in ("mm_struct", "task_struct", "pid_namespace", "xa_node"):
            type_id = self.types.struct(name)
            self.assertEqual(self.types.type_name(type_id), "struct " + name)

    def test_rss_stat_and_its_counters(self):
        _, type_id = self.types.member_offset("mm_struct", "rss_stat")
        self.assertIn(self.types.type_name(type_id), ("struct percpu_counter [4]", "struct mm_rss_stat"))
        values = [self.types.enumerator(n) for n in ("MM_FILEPAGES", "MM_ANONPAGES", "MM_SWAPENTS", "MM_SHMEMPAGES")]
        self.assertEqual(sorted(values), [0, 1, 2, 3])

    def test_members_inside_anonymous_structs(self):
        # mm_struct keeps nearly everything in an anonymous struct (__randomize_layout)
        offset, type_id = self.types.member_offset("mm_struct", "mm_users")
        self.assertGreater(offset, 0)
        self.assertEqual(self.types.type_name(type_id), "atomic_t")
        self.assertEqual(
            self.types.member_offset("pid_namespace", "idr.idr_rt")[0],
            self.types.member_offset("pid_namespace", "idr")[0] + self.types.member_offset("idr", "idr_rt")[0],
        )

    def test_per_cpu_variables_are_in_the_datasec(self):
        runqueues = self.types.datasec_offset(".data..percpu", "runqueues")
        self.assertIsNotNone(runqueues, "pahole >= 1.18 emits per-CPU variables")
        self.assertIsNone(self.types.datasec_offset(".data..percpu", "init_task"))  # not per-CPU


if __name__ == "__main__":
    unittest.main()
