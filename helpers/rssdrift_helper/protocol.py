"""The helper's side of the wire format (src/schema/helper-line.ts): error codes and their exit
statuses, and the small builders of the JSON lines that both readers share."""

import json
import sys

PROTOCOL_VERSION = 1

# Our short counter names and the kernel enumerators they stand for. The enumerators' values
# are looked up in the kernel's type information, never assumed.
COUNTER_ENUMERATORS = (
    ("file", "MM_FILEPAGES"),
    ("anon", "MM_ANONPAGES"),
    ("shmem", "MM_SHMEMPAGES"),
    ("swap", "MM_SWAPENTS"),
)

# The exit status for each error code; the same numbers as EXIT in src/errors.ts.
EXIT_STATUS = {
    "bad-args": 2,
    "kernel-thread": 2,
    "no-such-pid": 3,
    "zombie": 3,
    "pid-reused": 3,
    "target-exited": 3,
    "not-root": 4,
    "no-kcore": 4,
    "lockdown": 4,
    "no-drgn": 4,
    "no-debug-info": 4,
    "no-btf": 4,
    "bpf-refused": 4,
    "unsupported-arch": 4,
    "unsupported-layout": 5,
    "self-check-failed": 5,
    "internal": 5,
}


class HelperError(Exception):
    """A failure with a stable code from ERROR_CODES (src/schema/helper-line.ts)."""

    def __init__(self, code, message, hint=None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.hint = hint


def emit(line):
    """Writes one JSON line to stdout and flushes it, so the reader sees it at once."""
    sys.stdout.write(json.dumps(line, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def progress_line(step, message):
    return {"type": "progress", "step": step, "message": message}


def error_line(code, message, hint=None):
    line = {"type": "error", "code": code, "message": message or code}
    if hint:
        line["hint"] = hint
    return line


def cached_value(count):
    """get_mm_counter() clamps: a negative count (frees counted before faults) reads as 0."""
    return max(0, count)


def counter_reading(count, exact, residue):
    return {"count": count, "cached": cached_value(count), "exact": exact, "residue": residue}


def fault_around_pages(pages, bytes_, page_size):
    """Pages one file fault may map: fault_around_pages (v6.4+) or fault_around_bytes / PAGE_SIZE."""
    if pages is None and bytes_ is not None:
        pages = bytes_ // page_size
    return pages if pages is not None and pages >= 1 else None
