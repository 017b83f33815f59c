"""The sampling loop: a sample every interval, and on request when a controller drives the helper
through stdin (control lines: protocol.json's controlCommands, sample, interval MS, pause, resume,
ping; EOF ends the helper)."""

import os
import select
import signal
import time

from .protocol import CONTROL_COMMANDS, emit


def parse_control(line):
    """One control line -> ("sample",), ("interval", ms), ("pause",), ("resume",), ("ping",),
    or None if invalid. The interval's bounds, 1 ms to an hour, are the protocol's (the client
    sends 50 ms to an hour): a longer one would overflow select()'s timeout."""
    words = line.split()
    spec = CONTROL_COMMANDS.get(words[0]) if words else None
    if spec is None:
        return None
    argument = spec.get("argument")
    if argument is None:
        return (words[0],) if len(words) == 1 else None
    # at most as many digits as the maximum has: int() of a huge digit string is slow
    if len(words) == 2 and words[1].isascii() and words[1].isdigit() and len(words[1]) <= len(str(argument["maximum"])):
        value = int(words[1])
        if argument["minimum"] <= value <= argument["maximum"]:
            return (words[0], value)
    return None


def arm_heartbeat(seconds):
    """(Re)starts the controller's deadline. A link that dies without a FIN leaves sshd, and so our
    stdin, open until TCP gives up (~15 min); SIGALRM ends us sooner, even inside a blocked write."""
    if seconds:
        signal.alarm(seconds)


class ControlReader:
    """Control lines from fd 0, read raw (os.read) so that select() sees every byte. Only the new
    bytes are split; an unterminated line is kept up to LINE_MAX bytes, and one longer than that
    (no command is) is dropped up to its newline, so a peer that never sends one costs nothing."""

    LINE_MAX = 256

    def __init__(self, heartbeat=None):
        self.pending = b""
        self.overlong = False  # the pending line passed LINE_MAX: drop it when its newline comes
        self.heartbeat = heartbeat
        arm_heartbeat(heartbeat)

    def wait(self, timeout):
        """Waits up to timeout seconds (None: forever) -> list of commands, or None at EOF."""
        readable, _, _ = select.select([0], [], [], timeout)
        if not readable:
            return []
        chunk = os.read(0, 4096)
        if not chunk:
            return None
        arm_heartbeat(self.heartbeat)
        *complete, rest = chunk.split(b"\n")
        lines = []
        if complete:
            if not self.overlong:
                lines.append(self.pending + complete[0])
            lines.extend(complete[1:])
            self.pending, self.overlong = b"", False
        self.pending += rest
        if len(self.pending) > self.LINE_MAX:
            self.pending, self.overlong = b"", True
        commands = (parse_control(line.decode("ascii", "replace")) for line in lines if len(line) <= self.LINE_MAX)
        return [command for command in commands if command]  # unknown lines are ignored


def run(target, options):
    """Samples every interval until --count samples were taken; with --control also on request,
    and only until stdin ends. `target` is anything with sample(seq) -> line. Returns the exit status."""
    control = ControlReader(options.heartbeat) if options.control else None
    interval = options.interval / 1000
    paused = False
    seq = 0
    next_due = time.monotonic()  # the first sample comes at once

    def more_wanted():
        return options.count is None or seq < options.count

    def take_sample():
        nonlocal seq
        emit(target.sample(seq))
        seq += 1

    while more_wanted():
        timeout = None if paused else max(0.0, next_due - time.monotonic())
        if control is None:
            time.sleep(timeout)
        else:
            # polled before every sample, so that a slow read cannot starve the controller
            commands = control.wait(timeout)
            if commands is None:
                return 0  # the controller is gone: no root process may linger
            for command in commands:
                if command[0] == "sample" and more_wanted():
                    take_sample()
                elif command[0] == "interval":
                    next_due += command[1] / 1000 - interval  # counted from the last sample
                    interval = command[1] / 1000
                elif command[0] == "pause":
                    paused = True
                elif command[0] == "resume":
                    paused = False
        if not paused and more_wanted() and time.monotonic() >= next_due:
            take_sample()
            next_due += interval
            now = time.monotonic()
            if next_due < now:  # the read took longer than the interval: leave a gap anyway
                next_due = now + interval
    return 0


def quit_quietly(signum, _frame):
    os._exit(128 + signum)


def install_signal_handlers():
    # A closed stdout kills us at the next write instead of raising: nobody is reading.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGALRM):
        signal.signal(signum, quit_quietly)
