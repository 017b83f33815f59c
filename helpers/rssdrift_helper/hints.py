"""The fix for each missing piece, in the words of the target's distribution: which one it is
(/etc/os-release) and the command that installs drgn or the kernel's debug info there. The one
home of these words: the helper's error lines (drgn_reader.py) and its --check line (checks.py)
both take them from here.

The commands are for the user to paste, so they start with `sudo` unless that user is root: the
helper runs as root through sudo (sudo sets SUDO_UID), or as a user who is not root at all.
"""

import os
import re
import subprocess

# Where Debian, Ubuntu and Fedora install the Python that their drgn packages serve.
DISTRO_PYTHON = "/usr/bin/python3"
FEDORA_LIKE = ("fedora", "rhel", "centos")
OS_RELEASE_FILES = ("/etc/os-release", "/usr/lib/os-release")  # os-release(5): the first that exists
# by path, not from PATH: the helper runs as root
APT_CACHE = "/usr/bin/apt-cache"
# a subprocess that asks the system (apt, the distribution's python3) never holds the helper up long
ASK_TIMEOUT_S = 20


def _unquote(value):
    """An os-release value: shell-style quotes, with \\ escapes inside double quotes."""
    if len(value) >= 2 and value[0] in "\"'" and value.endswith(value[0]):
        inner = value[1:-1]
        return re.sub(r'\\([\\"$`])', r"\1", inner) if value[0] == '"' else inner
    return value


class Distribution:
    """What /etc/os-release says, as far as the fixes need it."""

    def __init__(self, text=""):
        fields = {}
        for line in text.splitlines():
            match = re.match(r"^([A-Z0-9_]+)=(.*)$", line.strip())
            if match:
                fields[match.group(1)] = _unquote(match.group(2))
        self.id = fields.get("ID", "").lower()
        self.id_like = fields.get("ID_LIKE", "").lower().split()
        self.pretty_name = fields.get("PRETTY_NAME") or fields.get("NAME") or self.id or "unknown Linux"

    @property
    def family(self):
        """debian, ubuntu, fedora or other: the families whose commands differ. Ubuntu and its
        derivatives first (they are also ID_LIKE=debian), then Debian, then Fedora and RHEL."""
        ids = [self.id] + self.id_like
        if "ubuntu" in ids:
            return "ubuntu"
        if "debian" in ids:
            return "debian"
        if any(name in ids for name in FEDORA_LIKE):
            return "fedora"
        return "other"


def read_distribution():
    for path in OS_RELEASE_FILES:
        try:
            with open(path) as f:
                return Distribution(f.read())
        except OSError:
            continue
    return Distribution()


def user_is_root():
    """Whether the user who pastes the fix is root: root, and not root only through sudo."""
    return os.geteuid() == 0 and "SUDO_UID" not in os.environ


def as_root(command, root):
    return command if root else "sudo " + command


# --- drgn ---------------------------------------------------------------------------------------


def other_than_distro_python(executable, in_venv):
    """The interpreter, when it is not the one the packages serve: another binary (pyenv,
    /usr/local), or the distribution's in a venv (its own site-packages). Else None."""
    if not executable:
        return None
    if in_venv or os.path.realpath(executable) != os.path.realpath(DISTRO_PYTHON):
        return executable
    return None


def distro_python_has_drgn():
    """Can the distribution's python3 import drgn? The usual reason another python cannot is
    that python3-drgn installed for that one. Asked isolated (-I), as every Python we start."""
    try:
        return (
            subprocess.run(
                [DISTRO_PYTHON, "-I", "-c", "import drgn"],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=ASK_TIMEOUT_S,
            ).returncode
            == 0
        )
    except (OSError, subprocess.SubprocessError):
        return False


def use_distro_python_hint(executable):
    return (
        "drgn is installed for %s, but the helper ran %s, which cannot import it: rerun with --python %s "
        "(or set RSSDRIFT_PYTHON=%s)" % (DISTRO_PYTHON, executable, DISTRO_PYTHON, DISTRO_PYTHON)
    )


def drgn_hint(family, root, other_python=None, distro_has_drgn=False):
    """drgn for the helper's python. `other_python`: the helper's interpreter when the packages do
    not serve it; `distro_has_drgn`: the distribution's python3 already imports drgn."""
    if other_python and distro_has_drgn:
        return use_distro_python_hint(other_python)
    if family in ("debian", "ubuntu"):
        command = as_root("apt install python3-drgn", root)
    elif family == "fedora":
        command = as_root("dnf install drgn", root)
    else:
        return "install your distribution's drgn package, or: %s" % as_root(
            "%s -m pip install drgn" % (other_python or "python3"), root
        )
    if other_python:
        command += " (it installs for %s, and this is %s: then rerun with --python %s)" % (
            DISTRO_PYTHON,
            other_python,
            DISTRO_PYTHON,
        )
    return command


def drgn_fix(executable, in_venv, distribution=None):
    """drgn_hint() for this process: its interpreter, its distribution, its user."""
    other = other_than_distro_python(executable, in_venv)
    return drgn_hint(
        (distribution or read_distribution()).family,
        user_is_root(),
        other,
        other is not None and distro_python_has_drgn(),
    )


# --- the kernel's debug info --------------------------------------------------------------------


def debug_info_package(family, release):
    """The debug-info package of kernel `release` on Debian or Ubuntu."""
    return "linux-image-%s-dbg" % release if family == "debian" else "linux-image-%s-dbgsym" % release


def apt_package_state(package):
    """What apt knows of `package`: "available" (a candidate to install), "none" (no such package,
    or no candidate), or "unknown" (no apt, no package lists, or it could not be asked). A custom,
    self-built or cloud kernel often has no debug package: only apt can tell."""
    if not any("_Packages" in name for name in _apt_lists()):
        return "unknown"  # never `apt update`d, or cleaned: apt knows nothing, which says nothing
    try:
        run = subprocess.run(
            [APT_CACHE, "policy", package],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            timeout=ASK_TIMEOUT_S,
            universal_newlines=True,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    if run.returncode != 0:
        return "unknown"
    if run.stdout.strip() == "" or "Candidate: (none)" in run.stdout:
        return "none"
    return "available" if "Candidate:" in run.stdout else "unknown"


def _apt_lists():
    try:
        return os.listdir("/var/lib/apt/lists")
    except OSError:
        return []


def debug_info_hint(family, release, root, state="unknown"):
    """A vmlinux with DWARF for kernel `release`; never claims a package the target does not have
    (`state`: apt_package_state() of the package, on Debian and Ubuntu)."""
    vmlinux = "pass --vmlinux PATH to the uncompressed vmlinux with DWARF that %s was built from" % release
    if family in ("debian", "ubuntu"):
        name = debug_info_package(family, release)
        install = as_root("apt install %s" % name, root)
        if state == "available":
            return install
        if state == "none" and family == "debian":
            return "apt knows no %s (not a Debian kernel, or an older one no longer in the archive): %s" % (
                name,
                vmlinux,
            )
        ddebs = (
            'enable the debug symbol archive (ddebs, see Ubuntu\'s "Debug Symbol Packages" page), then '
            if family == "ubuntu"
            else ""
        )
        return "if your distribution packages this kernel's debug info: %s%s; otherwise %s" % (ddebs, install, vmlinux)
    if family == "fedora":
        return "if %s is a Fedora kernel: %s; otherwise %s" % (
            release,
            as_root("dnf debuginfo-install kernel-%s" % release, root),
            vmlinux,
        )
    return (
        "install your distribution's kernel debug info for %s (a vmlinux with DWARF, e.g. at "
        "/usr/lib/debug/boot/vmlinux-%s), or %s" % (release, release, vmlinux)
    )


def debug_info_fix(release, distribution=None):
    """debug_info_hint() for this machine: its distribution, what apt says, its user."""
    family = (distribution or read_distribution()).family
    state = apt_package_state(debug_info_package(family, release)) if family in ("debian", "ubuntu") else "unknown"
    return debug_info_hint(family, release, user_is_root(), state)
