"""What the helper reads from /proc and /sys: the target's files as other tools see them, the
cheap target checks that come before any kernel reader starts, CPU lists and the lockdown mode."""

from .protocol import HelperError

STATUS_FIELDS = ("VmRSS", "RssAnon", "RssFile", "RssShmem", "VmSwap", "VmHWM")
SMAPS_FIELDS = ("Rss", "Anonymous")

# include/linux/sched.h; #defines, so they are in no type information. Stable for 15+ years.
PF_EXITING = 0x00000004
PF_KTHREAD = 0x00200000


def parse_stat(text):
    """/proc/PID/stat -> the fields we use. comm may hold spaces and parentheses, so it is
    everything between the first "(" and the last ")"."""
    open_paren, close_paren = text.index("("), text.rindex(")")
    rest = text[close_paren + 2 :].split()  # rest[0] is field 3 (state)

    def field(number):
        return rest[number - 3]

    return {
        "pid": int(text[:open_paren]),
        "comm": text[open_paren + 1 : close_paren],
        "state": field(3),
        "flags": int(field(9)),
        # page faults so far, summed over the threads: they only ever grow
        "minor_faults": int(field(10)),
        "major_faults": int(field(12)),
        "threads": int(field(20)),
        "start_time": int(field(22)),
        "rss": int(field(24)),
    }


def parse_statm(text):
    """/proc/PID/statm -> {size, resident, shared}, in pages."""
    size, resident, shared = (int(word) for word in text.split()[:3])
    return {"size": size, "resident": resident, "shared": shared}


def parse_kb_fields(text, names):
    """Lines like "VmRSS:    1234 kB" -> {name: kB} for the given names, 0 when a field is absent."""
    values = dict.fromkeys(names, 0)
    for line in text.splitlines():
        name, sep, rest = line.partition(":")
        if sep and name in values:
            values[name] = int(rest.split()[0])
    return values


def parse_status_tgid(text):
    for line in text.splitlines():
        if line.startswith("Tgid:"):
            return int(line.split()[1])
    return None


class TargetGone(Exception):
    """The target's /proc directory disappeared."""


def read_proc_file(pid, name):
    try:
        with open("/proc/%d/%s" % (pid, name), "rb") as f:
            return f.read().decode("utf-8", "replace")
    except (FileNotFoundError, ProcessLookupError) as e:
        raise TargetGone(str(e)) from e


def read_proc(pid, smaps):
    """Reads the target's /proc files the way other tools see the counters.
    Returns (parsed stat, the sample's "proc" object); raises TargetGone."""
    stat = parse_stat(read_proc_file(pid, "stat"))
    statm = parse_statm(read_proc_file(pid, "statm"))
    status = parse_kb_fields(read_proc_file(pid, "status"), STATUS_FIELDS)
    rollup = parse_kb_fields(read_proc_file(pid, "smaps_rollup"), SMAPS_FIELDS) if smaps else None
    return stat, {"statm": statm, "status": status, "stat_rss": stat["rss"], "smaps_rollup": rollup}


def classify_target(flags, state="", exit_state=0, has_mm=True):
    """None if the task has user memory to read, else the error code: "kernel-thread", or
    "zombie" for an exited task (state Z/X, exit_state set, or exiting without an mm)."""
    if flags & PF_KTHREAD:
        return "kernel-thread"
    if state in ("Z", "X") or exit_state:
        return "zombie"
    if not has_mm:
        return "zombie" if flags & PF_EXITING else "kernel-thread"
    return None


TARGET_ERRORS = {
    "zombie": "pid {pid} ({comm}) is a zombie: its memory is already gone",
    "kernel-thread": "pid {pid} ({comm}) is a kernel thread: it has no user memory",
}


def target_problem(pid, comm, flags, state="", exit_state=0, has_mm=True):
    """A HelperError for a task without user memory, or None."""
    problem = classify_target(flags, state=state, exit_state=exit_state, has_mm=has_mm)
    return HelperError(problem, TARGET_ERRORS[problem].format(pid=pid, comm=comm)) if problem else None


def check_target(pid):
    """Cheap check through /proc, before a kernel reader starts: exists, is a process, has memory."""
    try:
        stat = parse_stat(read_proc_file(pid, "stat"))
        tgid = parse_status_tgid(read_proc_file(pid, "status"))
    except TargetGone:
        raise HelperError("no-such-pid", "no process with pid %d" % pid) from None
    if tgid is not None and tgid != pid:
        raise HelperError(
            "bad-args",
            "pid %d is a thread of process %d" % (pid, tgid),
            "use the process's pid, %d: its threads share one memory" % tgid,
        )
    problem = target_problem(pid, stat["comm"], stat["flags"], state=stat["state"])
    if problem:
        raise problem
    return stat


def parse_cpu_list(text):
    """A kernel CPU list such as "0-3,8,10-11" -> [0, 1, 2, 3, 8, 10, 11]."""
    cpus = []
    for part in text.strip().split(","):
        if part:
            first, _, last = part.partition("-")
            cpus.extend(range(int(first), int(last or first) + 1))
    return cpus


def read_cpu_list(name):
    """/sys/devices/system/cpu/{online,possible} as a list of CPU ids."""
    with open("/sys/devices/system/cpu/" + name) as f:
        return parse_cpu_list(f.read())


def lockdown_mode(text):
    """/sys/kernel/security/lockdown ("none [integrity] confidentiality") -> "integrity"."""
    start, end = text.find("["), text.find("]")
    return text[start + 1 : end] if 0 <= start < end else None


def read_lockdown_mode():
    """The kernel's lockdown mode, or None without the lockdown LSM or securityfs (nothing locked)."""
    try:
        with open("/sys/kernel/security/lockdown") as f:
            return lockdown_mode(f.read())
    except OSError:
        return None
