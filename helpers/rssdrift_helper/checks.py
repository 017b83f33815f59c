"""`rss_stat.py --check`: every prerequisite of each kernel backend, checked where the helper runs
and as it runs (the same user, interpreter and privileges), in one go, and reported as one
`check` line (src/schema/helper-line.ts) that `rssdrift doctor` renders.

The checks, in the order of the line, each for both backends, bpf or drgn:
    both: root, lockdown, python3
    bpf:  BTF, capabilities, bpf()               (bpf_checks.py)
    drgn: /proc/kcore, drgn, debug info, rss_stat era   (drgn_checks.py)
bpf() and rss_stat era are the proofs: the readers themselves, run once on this process. The
line also says which backend `--backend auto` would read with here: bpf, else drgn, else the
procfs estimate.
"""

import os
import platform
import pwd
import sys

from . import bpf_checks, drgn_checks, hints
from .check_result import fail, ok, warn
from .proc import read_lockdown_mode
from .protocol import PROTOCOL_VERSION, emit

# name -> the backend the check is for, in the order of the line
BACKEND_OF = {
    "root": "both",
    "lockdown": "both",
    "python3": "both",
    "BTF": "bpf",
    "capabilities": "bpf",
    "bpf()": "bpf",
    "/proc/kcore": "drgn",
    "drgn": "drgn",
    "debug info": "drgn",
    "rss_stat era": "drgn",
}
LOCKDOWN_FILE = "/sys/kernel/security/lockdown"
# drgn 0.0.22, the oldest drgn rssdrift supports, needs Python 3.6
OLDEST_PYTHON = (3, 6)
# rssdrift doctor words the root line itself when it runs the helper as a user who is not root
RUN_AS_ROOT = "run it as root (rssdrift runs it through sudo -n for a user who is not root)"


class Here:
    """The machine and the process the checks run in."""

    def __init__(self, vmlinux=None):
        self.release = os.uname().release
        self.distribution = hints.read_distribution()
        self.euid = os.geteuid()
        # sudo says who asked; only shown, never trusted for anything
        sudo_uid = os.environ.get("SUDO_UID", "")
        self.through_sudo = self.euid == 0 and sudo_uid.isdigit()
        self.uid = int(sudo_uid) if self.through_sudo else os.getuid()
        self.user = (os.environ.get("SUDO_USER") if self.through_sudo else None) or user_name(self.uid)
        mode = read_lockdown_mode()
        self.lockdown = mode if mode in ("none", "integrity", "confidentiality") else None
        self.vmlinux = vmlinux


def user_name(uid):
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return "uid %d" % uid


def check_root(here):
    """drgn opens /proc/kcore, which needs root (CAP_SYS_RAWIO); bpf() needs root or capabilities."""
    if here.euid != 0:
        return fail("root", "not-root", "running as %s (uid %d)" % (here.user, here.uid), RUN_AS_ROOT)
    if here.through_sudo:
        return ok("root", "running as root, through sudo for %s (uid %d)" % (here.user, here.uid))
    return ok("root", "running as root")


def check_lockdown(mode):
    """Only lockdown=confidentiality blocks /proc/kcore (LOCKDOWN_KCORE) and bpf's reads of kernel
    memory (LOCKDOWN_BPF_READ_KERNEL), both in the confidentiality set; integrity, the mode Secure
    Boot usually turns on, blocks neither."""
    if mode is None:
        return warn(
            "lockdown",
            "mode unknown: %s is not readable (securityfs not mounted, or no lockdown LSM); only "
            "[confidentiality] would block /proc/kcore and bpf's kernel reads" % LOCKDOWN_FILE,
        )
    if mode == "none":
        return ok("lockdown", "[none]: nothing is locked down")
    if mode == "integrity":
        return ok("lockdown", "[integrity]: blocks writes to the kernel, not /proc/kcore or bpf reads")
    return fail(
        "lockdown",
        "lockdown",
        "[confidentiality]: the kernel refuses /proc/kcore (drgn) and bpf's reads of kernel memory (bpf), even to "
        "root (LOCKDOWN_KCORE and LOCKDOWN_BPF_READ_KERNEL are in the confidentiality set)",
        "lockdown can only be raised while running: remove lockdown=confidentiality from the kernel command line "
        "(e.g. GRUB_CMDLINE_LINUX in /etc/default/grub, then update-grub) and reboot, or boot a kernel not built "
        "with CONFIG_LOCK_DOWN_KERNEL_FORCE_CONFIDENTIALITY; integrity is fine for rssdrift",
    )


def check_python():
    found = "Python %s (%s)" % (platform.python_version(), sys.executable or "python3")
    if sys.version_info[:2] < OLDEST_PYTHON:
        return fail(
            "python3",
            "old-python",
            "%s is too old for drgn (needs 3.6 or newer)" % found,
            "install a newer python3 and name it with --python",
        )
    return ok("python3", found)


def guarded(name, check, *args):
    """-> the check's results (one, or a list); one that raised is that check's failure, never
    the end of the others."""
    try:
        result = check(*args)
    except Exception as e:
        return [fail(name, "internal", "the check itself failed: %s: %s" % (type(e).__name__, e))]
    return result if isinstance(result, list) else [result]


def run_checks(here):
    """-> {name: Check}, every check run in the order of the line."""
    checks = {}

    def put(name, check, *args):
        for result in guarded(name, check, *args):
            checks[result.name] = result

    put("root", check_root, here)
    put("lockdown", check_lockdown, here.lockdown)
    put("python3", check_python)
    put("BTF", bpf_checks.check_btf)
    put("capabilities", bpf_checks.check_capabilities, here)
    put("bpf()", bpf_checks.check_bpf, here, checks)  # may fail BTF, capabilities or lockdown in its own words
    put("/proc/kcore", drgn_checks.check_kcore, here)
    put("drgn", drgn_checks.check_drgn, here)
    put("debug info", drgn_checks.check_debug_info, here)
    put("rss_stat era", drgn_checks.check_era, here, checks)
    return checks


def auto_backend(checks):
    """What --backend auto reads with here: the first kernel backend whose proof worked."""
    if checks["bpf()"].status == "ok":
        return "bpf"
    return "drgn" if checks["rss_stat era"].status == "ok" else "procfs"


def check_line(here, checks):
    return {
        "type": "check",
        "protocol": PROTOCOL_VERSION,
        "kernel": here.release,
        "os": here.distribution.pretty_name,
        "user": here.user,
        "uid": here.uid,
        "euid": here.euid,
        "auto": auto_backend(checks),
        "checks": [
            {
                "check": name,
                "backend": backend,
                "status": checks[name].status,
                "code": checks[name].code,
                "detail": checks[name].detail,
                "fix": checks[name].fix,
            }
            for name, backend in BACKEND_OF.items()
        ],
    }


def main(vmlinux=None):
    """Runs every check and prints the check line; -> the exit status (0: the line says the rest)."""
    here = Here(vmlinux)
    emit(check_line(here, run_checks(here)))
    return 0
