"""The running kernel's own type information (/sys/kernel/btf/vmlinux), read fast.

BTF is a header, a type section and a string section (Documentation/bpf/btf.rst). A type is
three u32 words (name offset, info, size-or-type) and a kind-specific tail; its id is its
position in the section, so finding type 4711 means walking over the 4710 before it. A kernel
has about 130 000 types and the helper needs a dozen, so this module:

- walks the type section once, with arithmetic only (kind and vlen give each tail's length),
  recording where each type starts;
- finds a name by searching the string section for b"\\0name\\0" (BTF strings are unique),
  then the type section for that name offset, and never decodes any other name.

    btf = Btf.from_file()
    offset, type_id = btf.member_offset("mm_struct", "rss_stat")
    btf.type_name(type_id)                    # "struct percpu_counter [4]"
    btf.enumerator("MM_ANONPAGES")            # 1
    btf.datasec_offset(".data..percpu", "runqueues")
"""

import bisect
import struct

VMLINUX = "/sys/kernel/btf/vmlinux"
MAGIC = 0xEB9F

# include/uapi/linux/btf.h
INT, PTR, ARRAY, STRUCT, UNION, ENUM, FWD, TYPEDEF, VOLATILE, CONST, RESTRICT = range(1, 12)
FUNC, FUNC_PROTO, VAR, DATASEC, FLOAT, DECL_TAG, TYPE_TAG, ENUM64 = range(12, 20)

# The words after a type's three-word header: fixed ones, and per vlen entry.
_FIXED_WORDS = {INT: 1, ARRAY: 3, VAR: 1, DECL_TAG: 1}
_WORDS_PER_ENTRY = {STRUCT: 3, UNION: 3, ENUM: 2, FUNC_PROTO: 2, DATASEC: 3, ENUM64: 3}
_BASE = [3 + _FIXED_WORDS.get(kind, 0) for kind in range(32)]
_PER_ENTRY = [_WORDS_PER_ENTRY.get(kind, 0) for kind in range(32)]

# Kinds that only qualify or rename another type.
_TRANSPARENT = (TYPEDEF, VOLATILE, CONST, RESTRICT, TYPE_TAG)


class BtfError(Exception):
    """The blob is not BTF this module can read, or lacks a type, member or name asked for."""


def type_starts(words):
    """The word index where each type starts (type id 1 is the first), in one pass."""
    starts = []
    append = starts.append
    base, per_entry = _BASE, _PER_ENTRY
    index, end = 0, len(words)
    while index < end:
        append(index)
        info = words[index + 1]
        kind = info >> 24 & 31
        index += base[kind] + (info & 0xFFFF) * per_entry[kind]
    if index != end:
        raise BtfError("the type section ends inside a type")
    return starts


class Btf:
    """Type lookups on one BTF blob (little-endian, as on every architecture we support)."""

    def __init__(self, data):
        if len(data) < 24 or struct.unpack_from("<H", data)[0] != MAGIC:
            raise BtfError("not little-endian BTF")
        header_len, type_off, type_len, str_off, str_len = struct.unpack_from("<I4I", data, 4)
        types_at = header_len + type_off
        self.strings = data[header_len + str_off : header_len + str_off + str_len]
        self.type_bytes = data[types_at : types_at + type_len]
        self.words = memoryview(self.type_bytes).cast("I")
        self.starts = type_starts(self.words)
        self._sections = {}  # DATASEC name -> type id, looked up once
        self._structs = {}  # struct name -> type id or None, looked up once

    @classmethod
    def from_file(cls, path=VMLINUX):
        with open(path, "rb") as f:
            return cls(f.read())

    # --- names -------------------------------------------------------------------------------

    def name_offset(self, name):
        """Where `name` sits in the string section, or None if no type or member has it."""
        found = self.strings.find(b"\0" + name.encode() + b"\0")
        return None if found < 0 else found + 1

    def name(self, offset):
        return self.strings[offset : self.strings.index(b"\0", offset)].decode()

    def _word_hits(self, value, from_end=False):
        """Word indices in the type section that hold `value`, first to last or last to first."""
        needle = struct.pack("<I", value)
        if from_end:
            at = self.type_bytes.rfind(needle)
            while at >= 0:
                if at % 4 == 0:
                    yield at // 4
                at = self.type_bytes.rfind(needle, 0, at + 3)
            return
        at = self.type_bytes.find(needle)
        while at >= 0:
            if at % 4 == 0:
                yield at // 4
            at = self.type_bytes.find(needle, at + 1)

    # --- types -------------------------------------------------------------------------------

    def kind(self, type_id):
        return self.words[self.starts[type_id - 1] + 1] >> 24 & 31

    def vlen(self, type_id):
        return self.words[self.starts[type_id - 1] + 1] & 0xFFFF

    def _header(self, type_id):
        """-> (name offset, info, size or type) of a type."""
        start = self.starts[type_id - 1]
        return self.words[start], self.words[start + 1], self.words[start + 2]

    def find(self, kind, name):
        """The id of the type of this kind and name (the first with members, for a struct), or None."""
        offset = self.name_offset(name)
        if offset is None:
            return None
        fallback = None
        # pahole writes the data sections after every other type: search those from the end
        for index in self._word_hits(offset, from_end=kind == DATASEC):
            type_id = bisect.bisect_left(self.starts, index) + 1
            if type_id <= len(self.starts) and self.starts[type_id - 1] == index and self.kind(type_id) == kind:
                if kind not in (STRUCT, UNION) or self.vlen(type_id):
                    return type_id
                fallback = fallback or type_id
        return fallback

    def struct(self, name):
        """The id of `struct name`; raises BtfError when the kernel has none."""
        if name not in self._structs:
            self._structs[name] = self.find(STRUCT, name)
        if self._structs[name] is None:
            raise BtfError("struct %s" % name)
        return self._structs[name]

    def resolve(self, type_id):
        """Skips typedefs and qualifiers (const, volatile, ...)."""
        while type_id and self.kind(type_id) in _TRANSPARENT:
            type_id = self._header(type_id)[2]
        return type_id

    def size(self, type_id):
        """sizeof a struct, union, enum or int type (typedefs resolved)."""
        type_id = self.resolve(type_id)
        if self.kind(type_id) == ARRAY:
            element, _, count = self.array(type_id)
            return self.size(element) * count
        if self.kind(type_id) == PTR:
            return 8
        return self._header(type_id)[2]

    def array(self, type_id):
        """-> (element type id, index type id, number of elements) of an array type."""
        start = self.starts[type_id - 1] + 3
        return tuple(self.words[start : start + 3])

    def members(self, type_id):
        """-> [(name offset, type id, bit offset)] of a struct or union."""
        type_id = self.resolve(type_id)
        start = self.starts[type_id - 1]
        info = self.words[start + 1]
        bitfields = info >> 31  # kflag: the offset word also holds a bitfield size
        entries = self.words[start + 3 : start + 3 + 3 * (info & 0xFFFF)]
        return [
            (entries[i], entries[i + 1], entries[i + 2] & 0xFFFFFF if bitfields else entries[i + 2])
            for i in range(0, len(entries), 3)
        ]

    def _member(self, type_id, name_off):
        """-> (bit offset, type id) of a member, looking into anonymous structs and unions."""
        for member_name, member_type, bit_offset in self.members(type_id):
            if member_name == name_off:
                return bit_offset, member_type
            if member_name == 0 and self.kind(self.resolve(member_type)) in (STRUCT, UNION):
                found = self._member(member_type, name_off)
                if found:
                    return bit_offset + found[0], found[1]
        return None

    def member_offset(self, struct_name, path):
        """offsetof(struct struct_name, path) for a dotted path such as "idr.idr_rt.xa_head",
        -> (byte offset, type id of the member); raises BtfError naming what is missing."""
        type_id, bits = self.struct(struct_name), 0
        for part in path.split("."):
            name_off = self.name_offset(part)
            found = self._member(type_id, name_off) if name_off is not None else None
            if found is None:
                raise BtfError("struct %s has no member %s" % (struct_name, path))
            bits += found[0]
            type_id = found[1]
        if bits % 8:
            raise BtfError("struct %s member %s is a bitfield" % (struct_name, path))
        return bits // 8, type_id

    def has_member(self, struct_name, path):
        try:
            self.member_offset(struct_name, path)
            return True
        except BtfError:
            return False

    def tag(self, type_id):
        """A type's own name ("percpu_counter" for struct percpu_counter), or None if anonymous."""
        name_off = self._header(type_id)[0]
        return self.name(name_off) if name_off else None

    def type_name(self, type_id):
        """A type as drgn spells it: "struct percpu_counter [4]", "struct mm_rss_stat", "atomic_long_t"."""
        if type_id == 0:
            return "void"
        kind = self.kind(type_id)
        if kind == ARRAY:
            element, _, count = self.array(type_id)
            return "%s [%d]" % (self.type_name(element), count)
        prefix = {STRUCT: "struct ", UNION: "union ", ENUM: "enum ", ENUM64: "enum "}.get(kind, "")
        name_off = self._header(type_id)[0]
        if kind == PTR:
            return self.type_name(self._header(type_id)[2]) + " *"
        return prefix + (self.name(name_off) if name_off else "<anonymous>")

    # --- enums and per-CPU variables ----------------------------------------------------------

    def enumerator(self, name):
        """The value of an enumerator such as MM_ANONPAGES; raises BtfError when there is none."""
        offset = self.name_offset(name)
        for index in self._word_hits(offset) if offset is not None else ():
            type_id = bisect.bisect_right(self.starts, index)
            start, kind = self.starts[type_id - 1], self.kind(type_id)
            entry = {ENUM: 2, ENUM64: 3}.get(kind)
            if entry and index >= start + 3 and (index - start - 3) % entry == 0:
                low = self.words[index + 1]
                if kind == ENUM64:
                    return self.words[index + 2] << 32 | low
                return low - (1 << 32) if low >= 1 << 31 else low
        raise BtfError("enumerator %s" % name)

    def datasec_offset(self, section, variable):
        """Where a variable sits inside a DATASEC such as ".data..percpu", or None."""
        if section not in self._sections:
            self._sections[section] = self.find(DATASEC, section)
        section_id, var_id = self._sections[section], self.find(VAR, variable)
        if section_id is None or var_id is None:
            return None
        start = self.starts[section_id - 1] + 3
        entries = self.words[start : start + 3 * self.vlen(section_id)]
        for i in range(0, len(entries), 3):
            if entries[i] == var_id:
                return entries[i + 1]
        return None
