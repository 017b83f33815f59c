// A fixed Python script (stdlib only) that tells, for each path in argv, whether it is an ELF file
// with DWARF (.debug_info, or the old compressed .zdebug_info) in it. drgn needs vmlinux's DWARF;
// a /boot/vmlinux-* without it (stripped) would only make drgn warn. Reads the section headers
// only, so a 400 MB vmlinux costs a few KiB of I/O. Prints "path<TAB>status" lines.

/** "found" comes only from the fallback listing used when python3 is missing (existence, not DWARF). */
export type ElfDebugStatus = "debug-info" | "no-debug-info" | "not-elf" | "missing" | "found" | `unreadable: ${string}`;

export const ELF_DEBUG_INFO_SCRIPT = `
import struct, sys

def status(path):
    try:
        f = open(path, 'rb')
    except FileNotFoundError:
        return 'missing'
    except OSError as e:
        return 'unreadable: ' + (e.strerror or str(e))
    with f:
        ident = f.read(16)
        if len(ident) < 16 or ident[:4] != b'\\x7fELF':
            return 'not-elf'
        wide = ident[4] == 2
        order = '<' if ident[5] == 1 else '>'
        header = f.read(48 if wide else 36)
        if wide:
            shoff = struct.unpack_from(order + 'Q', header, 24)[0]
            shentsize, shnum, shstrndx = struct.unpack_from(order + 'HHH', header, 42)
        else:
            shoff = struct.unpack_from(order + 'I', header, 16)[0]
            shentsize, shnum, shstrndx = struct.unpack_from(order + 'HHH', header, 30)
        if shoff == 0:
            return 'no-debug-info'

        def section(i):
            f.seek(shoff + i * shentsize)
            fields = struct.unpack_from(order + ('IIQQQQI' if wide else 'IIIIIII'), f.read(shentsize))
            return fields[0], fields[1], fields[4], fields[5], fields[6]  # name, type, offset, size, link

        first = section(0)
        if shnum == 0:  # more than 0xff00 sections: the count is in section 0
            shnum = first[3]
        if shstrndx == 0xffff:
            shstrndx = first[4]
        names_offset, names_size = section(shstrndx)[2:4]
        f.seek(names_offset)
        names = f.read(names_size)
        for i in range(shnum):
            name, kind, _, size, _ = section(i)
            if names[name:names.find(b'\\0', name)] in (b'.debug_info', b'.zdebug_info') and kind != 8 and size > 0:
                return 'debug-info'  # kind 8 is SHT_NOBITS: a placeholder without data
        return 'no-debug-info'

for path in sys.argv[1:]:
    try:
        result = status(path)
    except Exception as e:
        result = 'unreadable: %s' % e
    print(path + '\\t' + result)
`;

/** Parses the script's "path<TAB>status" lines. */
export function parseElfDebugStatus(text: string): Map<string, ElfDebugStatus> {
  const statuses = new Map<string, ElfDebugStatus>();
  for (const line of text.split("\n")) {
    const tab = line.indexOf("\t");
    if (tab > 0) statuses.set(line.slice(0, tab), line.slice(tab + 1).trim() as ElfDebugStatus);
  }
  return statuses;
}
