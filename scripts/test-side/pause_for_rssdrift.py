"""Pause a test so that rssdrift can look at its memory: ``pause_for_rssdrift("after mmap")``.

Standard library only: copy this file next to your tests, or put scripts/test-side on PYTHONPATH.

Off unless RSSDRIFT_PAUSE=1 (or true/yes/on), so CI never waits. When on, it prints

    rssdrift: pid 1234 paused at after mmap; run: rssdrift watch 1234 — press Enter to continue

to stderr (and to the terminal, when pytest captures stderr) and waits for Enter on the terminal
(/dev/tty, so pytest's capture of stdin does not matter), or, when there is no terminal, for
SIGUSR1 (``kill -USR1 1234``). SIGUSR1 resumes in both cases.
"""

import os
import select
import signal
import sys
import threading

ENV_VAR = "RSSDRIFT_PAUSE"
_ON = {"1", "true", "yes", "on"}
# how often the wait loop looks at the resume flag: a signal may land on another thread, which
# does not wake the main thread's select()
_POLL_SECONDS = 0.2

__all__ = ["pause_for_rssdrift", "pause_enabled", "ENV_VAR"]


def pause_enabled(environ=None):
    """True when RSSDRIFT_PAUSE asks for a pause."""
    value = (os.environ if environ is None else environ).get(ENV_VAR, "")
    return value.strip().lower() in _ON


def _open_tty():
    try:
        return os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:  # ENXIO: no controlling terminal (CI, setsid, cron)
        return None


def _catch_sigusr1(resumed):
    """Installs a SIGUSR1 handler that sets `resumed`; returns the previous one, or None if it can't."""
    if threading.current_thread() is not threading.main_thread():
        return None  # signal.signal() only works in the main thread
    previous = signal.getsignal(signal.SIGUSR1)
    signal.signal(signal.SIGUSR1, lambda signum, frame: resumed.set())
    return signal.SIG_DFL if previous is None else previous


def _say(text, tty):
    sys.stderr.write(text)
    sys.stderr.flush()
    # under pytest's capture, stderr is a file: say it on the terminal as well
    if tty is not None and not os.isatty(2):
        os.write(tty, text.encode())


def pause_for_rssdrift(label="here"):
    """Prints this process's pid and waits, when RSSDRIFT_PAUSE=1. Returns True if it paused."""
    if not pause_enabled():
        return False
    pid = os.getpid()
    resumed = threading.Event()
    tty = _open_tty()
    previous = _catch_sigusr1(resumed)  # before printing: a resume may follow the line at once
    if tty is None and previous is None:
        sys.stderr.write(
            f"rssdrift: pid {pid} not paused at {label}: no terminal, and SIGUSR1 can only be caught "
            "in the main thread\n"
        )
        return False
    if tty is not None:
        how = "press Enter to continue" + (f" (or kill -USR1 {pid})" if previous is not None else "")
    else:
        how = f"send SIGUSR1 to continue: kill -USR1 {pid}"
    try:
        _say(f"rssdrift: pid {pid} paused at {label}; run: rssdrift watch {pid} — {how}\n", tty)
        while not resumed.is_set():
            if tty is None:
                resumed.wait(_POLL_SECONDS)
                continue
            ready, _, _ = select.select([tty], [], [], _POLL_SECONDS)
            if ready:
                os.read(tty, 4096)  # a line (or EOF on Ctrl-D): either way, go on
                break
    finally:
        if previous is not None:
            signal.signal(signal.SIGUSR1, previous)
        if tty is not None:
            os.close(tty)
    return True


if __name__ == "__main__":
    pause_for_rssdrift(" ".join(sys.argv[1:]) or "here")
