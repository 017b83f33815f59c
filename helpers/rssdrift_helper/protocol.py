"""The helper's side of the wire format: protocol.json (beside this module) is its one source,
which src/protocol/helper-protocol.ts is generated from. Here: its error codes with their exit
statuses and its control commands, and the small builders of the JSON lines that both readers
share."""

import json
import os
import sys


def _read_protocol():
    """protocol.json, from the file beside this module (a checkout); or, when this module came
    without a file (the bundle rssdrift sends, the sudo wrapper's reviewed copy), from the loader
    that served it, which holds it under its path in the package."""
    if "__file__" in globals():
        path = os.path.join(os.path.dirname(__file__), "protocol.json")
    else:
        path = __package__ + "/protocol.json"
    return json.loads(__loader__.get_data(path))


PROTOCOL = _read_protocol()
_LINE_DEFS = PROTOCOL["helperLine"]["$defs"]

PROTOCOL_VERSION = _LINE_DEFS["HelloLine"]["properties"]["protocol"]["const"]

# Our short counter names and the kernel enumerators they stand for. The enumerators' values
# are looked up in the kernel's type information, never assumed.
COUNTER_ENUMERATORS = (
    ("file", "MM_FILEPAGES"),
    ("anon", "MM_ANONPAGES"),
    ("shmem", "MM_SHMEMPAGES"),
    ("swap", "MM_SWAPENTS"),
)

# The exit status for each error code: the protocol groups the codes by it.
EXIT_STATUS = {code: group["exitStatus"] for group in _LINE_DEFS["HelperErrorCode"]["anyOf"] for code in group["enum"]}

# The control commands by name; a command with an "argument" takes one whole number in its bounds.
CONTROL_COMMANDS = {name: spec for name, spec in PROTOCOL["controlCommands"].items() if not name.startswith("$")}


class HelperError(Exception):
    """A failure with a stable code, one of EXIT_STATUS's."""

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
