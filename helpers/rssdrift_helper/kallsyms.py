"""Addresses of a few kernel symbols from /proc/kallsyms.

Data symbols are listed only with CONFIG_KALLSYMS_ALL (distribution kernels have it), and their
addresses only to root (kptr_restrict shows everyone else zeros). The file is a few MB of
"ADDRESS TYPE NAME" lines; one read and a byte search per name is far faster than splitting it.
"""

import threading

KALLSYMS = "/proc/kallsyms"


def symbol_addresses(text, names):
    """{name: address} for the names that `text` (kallsyms' bytes) lists, core kernel only."""
    found = {}
    for name in names:
        at = text.find(b" " + name.encode() + b"\n")
        if at < 0:
            continue
        line_start = text.rfind(b"\n", 0, at) + 1
        address, _, _ = text[line_start:at].partition(b" ")
        found[name] = int(address, 16)
    return found


def read_symbol_addresses(names, path=KALLSYMS):
    """symbol_addresses() of the running kernel; {} when kallsyms is unreadable or zeroed
    (told by `names[0]`, which must be a symbol whose address is never 0)."""
    try:
        with open(path, "rb") as f:
            found = symbol_addresses(f.read(), names)
    except OSError:
        return {}
    return found if found.get(names[0]) else {}


def start_reading(names, path=KALLSYMS):
    """Starts read_symbol_addresses() in a thread, so that the kernel formats kallsyms on another
    CPU while Python parses BTF (the read releases the GIL) -> a function that waits for it and
    returns its result."""
    found = {}
    thread = threading.Thread(target=lambda: found.update(read_symbol_addresses(names, path)), daemon=True)
    thread.start()

    def result():
        thread.join()
        return found

    return result
