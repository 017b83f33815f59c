"""--check for the drgn backend: /proc/kcore, drgn and its version, the kernel's DWARF debug info
(or --vmlinux), and the proof, the rss_stat era: the drgn reader itself, loading the debug info
and reading the helper's own process once, when everything before it is there. drgn cannot use
BTF, and without DWARF it only warns, then fails on the first type lookup: so the files are
looked at first, and a missing piece gets its own line and fix."""

import gzip
import json
import os
import re
import struct
import sys

from . import drgn_reader, hints
from .check_result import describe_hello, fail, ok, skipped
from .era import era_from_release
from .proc import check_target
from .protocol import HelperError
from .sampler import Sampler

KCORE = "/proc/kcore"
# the oldest drgn the helper is written and tested for (Debian bookworm's)
OLDEST_TESTED = (0, 0, 22)
# the first drgn that can use debuginfod for the kernel (and then only on Fedora)
DEBUGINFOD_FOR_KERNEL = (0, 0, 31)
TRY_IT = "run `rssdrift 1 --backend drgn` to see the helper's own error"


# --- /proc/kcore ------------------------------------------------------------------------------


def parse_kcore_config(config):
    """What the kernel config says of CONFIG_PROC_KCORE: built, not-built or unknown."""
    if re.search(r"^CONFIG_PROC_KCORE=y\s*$", config, re.M):
        return "built"
    if re.search(r"^# CONFIG_PROC_KCORE is not set\s*$", config, re.M):
        return "not-built"
    return "unknown"


def read_kernel_config(release):
    """The running kernel's config, from /proc/config.gz or /boot/config-RELEASE; "" if neither."""
    try:
        with gzip.open("/proc/config.gz", "rt") as f:
            return f.read()
    except OSError:
        pass
    try:
        with open("/boot/config-%s" % release) as f:
            return f.read()
    except OSError:
        return ""


def explain_missing_kcore(config):
    on_host = (
        "if this is a container, run rssdrift on the host (or give the container the host's /proc and CAP_SYS_RAWIO)"
    )
    if config == "not-built":
        return (
            "missing: this kernel is built without CONFIG_PROC_KCORE"
            " (its config says `# CONFIG_PROC_KCORE is not set`)",
            "boot a kernel built with CONFIG_PROC_KCORE=y (distribution kernels are); nothing in user space can add it",
        )
    if config == "built":
        return (
            "missing, though the kernel is built with CONFIG_PROC_KCORE=y: this /proc hides it (a container?)",
            on_host,
        )
    return (
        "missing: the kernel is built without CONFIG_PROC_KCORE, or a container hides it",
        "boot a kernel built with CONFIG_PROC_KCORE=y (distribution kernels are); " + on_host,
    )


def check_kcore(here):
    """There, and readable as root: its ELF header is drgn's first read, and fails the way drgn
    would (lockdown=confidentiality, no CAP_SYS_RAWIO in a container)."""
    if not os.path.exists(KCORE):
        detail, fix = explain_missing_kcore(parse_kcore_config(read_kernel_config(here.release)))
        return fail("/proc/kcore", "no-kcore", detail, fix)
    if here.euid != 0:
        return ok("/proc/kcore", "present (not read: that needs root, see above)")
    try:
        with open(KCORE, "rb") as f:
            f.read(64)
    except OSError as e:
        return fail(
            "/proc/kcore",
            "lockdown",
            "present, but root cannot read it: %s" % (e.strerror or e),
            "see the lockdown line above; in a container, the container needs CAP_SYS_RAWIO"
            " (or run rssdrift on the host)",
        )
    return ok("/proc/kcore", "present, and root can read it")


# --- drgn -------------------------------------------------------------------------------------


def parse_release(version):
    """drgn.__version__ ("0.0.31", "0.0.22+unknown", "0.0.27.dev45+g1a2b3c4") -> (0, 0, 31), or None."""
    match = re.match(r"(\d+(?:\.\d+)*)", version.strip())
    return tuple(int(part) for part in match.group(1).split(".")) if match else None


def at_least(release, wanted):
    """Compared part by part, a missing part counting as 0."""
    width = max(len(release), len(wanted))
    return tuple(release) + (0,) * (width - len(release)) >= tuple(wanted) + (0,) * (width - len(wanted))


def drgn_version():
    """drgn.__version__ when drgn imports, else None."""
    if drgn_reader.DRGN_IMPORT_ERROR is not None:
        return None
    return str(getattr(drgn_reader.drgn, "__version__", ""))


def check_drgn(here):
    """drgn as this interpreter imports it (root's, through sudo)."""

    def fix():  # only for a failure: it may ask the distribution's python3
        return hints.drgn_fix(sys.executable, drgn_reader.in_venv(), here.distribution)

    error = drgn_reader.DRGN_IMPORT_ERROR
    if error is not None:
        python = sys.executable or "python3"
        what = "%s: %s" % (type(error).__name__, error)
        if isinstance(error, ImportError) and getattr(error, "name", None) == "drgn":
            return fail("drgn", "no-drgn", "not installed for %s (import drgn: %s)" % (python, what), fix())
        return fail("drgn", "no-drgn", "installed but does not import: %s" % what, fix())
    version = drgn_version()
    release = parse_release(version)
    if release is None:
        return fail("drgn", "no-drgn", "imports, but its version is unreadable: %r" % version, fix())
    note = "" if at_least(release, OLDEST_TESTED) else " (older than 0.0.22, the oldest rssdrift is tested with)"
    return ok("drgn", "drgn %s%s" % (version, note))


# --- the kernel's debug info ----------------------------------------------------------------


def vmlinux_candidates(release):
    """drgn's vmlinux search path for a release (libdrgn, in this order: /usr/lib/debug first)."""
    return [
        "/usr/lib/debug/boot/vmlinux-%s" % release,
        "/usr/lib/debug/lib/modules/%s/vmlinux" % release,
        "/boot/vmlinux-%s" % release,
        "/lib/modules/%s/build/vmlinux" % release,
    ]


def dwarf_status(path):
    """Whether `path` is an ELF file with DWARF in it (.debug_info, or the old compressed
    .zdebug_info): debug-info, no-debug-info, not-elf, missing or "unreadable: WHY". Reads the
    section headers only, so a 400 MB vmlinux costs a few KiB of I/O."""
    try:
        with open(path, "rb") as f:
            return _elf_dwarf_status(f)
    except FileNotFoundError:
        return "missing"
    except OSError as e:
        return "unreadable: %s" % (e.strerror or e)
    except (struct.error, IndexError, ValueError) as e:
        return "unreadable: %s" % e


def _elf_dwarf_status(f):
    ident = f.read(16)
    if len(ident) < 16 or ident[:4] != b"\x7fELF":
        return "not-elf"
    wide = ident[4] == 2
    order = "<" if ident[5] == 1 else ">"
    header = f.read(48 if wide else 36)
    if wide:
        shoff = struct.unpack_from(order + "Q", header, 24)[0]
        shentsize, shnum, shstrndx = struct.unpack_from(order + "HHH", header, 42)
    else:
        shoff = struct.unpack_from(order + "I", header, 16)[0]
        shentsize, shnum, shstrndx = struct.unpack_from(order + "HHH", header, 30)
    if shoff == 0:
        return "no-debug-info"

    def section(index):  # -> name, type, offset, size, link
        f.seek(shoff + index * shentsize)
        fields = struct.unpack_from(order + ("IIQQQQI" if wide else "IIIIIII"), f.read(shentsize))
        return fields[0], fields[1], fields[4], fields[5], fields[6]

    first = section(0)
    if shnum == 0:  # more than 0xff00 sections: the count is in section 0
        shnum = first[3]
    if shstrndx == 0xFFFF:
        shstrndx = first[4]
    names_offset, names_size = section(shstrndx)[2:4]
    f.seek(names_offset)
    names = f.read(names_size)
    for index in range(shnum):
        name, kind, _, size, _ = section(index)
        # kind 8 is SHT_NOBITS: a placeholder without data
        if names[name : names.find(b"\0", name)] in (b".debug_info", b".zdebug_info") and kind != 8 and size > 0:
            return "debug-info"
    return "no-debug-info"


def describe_unusable(path, status):
    if status == "no-debug-info":
        return "%s has no DWARF (stripped)" % path
    if status == "not-elf":
        return "%s is not an ELF file" % path
    return "%s: %s" % (path, status)


def built_with_debuginfod():
    """Whether this drgn was built with debuginfod; None when it does not say (before 0.0.31)."""
    drgn = drgn_reader.drgn
    for name in ("_have_debuginfod", "_with_debuginfod"):
        if drgn is not None and hasattr(drgn, name):
            return bool(getattr(drgn, name))
    return None


def debuginfod_verdict(urls, version, os_id, built):
    """(usable, reason): whether drgn will fetch the kernel's DWARF with debuginfod, and if not, why.
    `version`: drgn's, or None; `built`: built_with_debuginfod()."""
    if urls == "":
        return False, "DEBUGINFOD_URLS is not set"
    release = parse_release(version) if version else None
    if release is None:
        return False, "DEBUGINFOD_URLS is set, but drgn is missing"
    if not at_least(release, DEBUGINFOD_FOR_KERNEL):
        return (
            False,
            "DEBUGINFOD_URLS is set, but drgn %s cannot use debuginfod for the kernel (0.0.31 or newer can)" % version,
        )
    if os_id != "fedora":
        return False, (
            "DEBUGINFOD_URLS is set, but drgn uses debuginfod for the kernel only on Fedora "
            "(elsewhere vmlinux downloads are too slow)"
        )
    if built is False:
        return False, "DEBUGINFOD_URLS is set, but this drgn was built without debuginfod"
    return True, "drgn %s will download it with debuginfod (%s): hundreds of MB on the first run" % (version, urls)


def check_debug_info(here):
    candidates = [here.vmlinux] if here.vmlinux is not None else vmlinux_candidates(here.release)
    statuses = [(path, dwarf_status(path)) for path in candidates]
    if here.vmlinux is not None:
        return check_given_vmlinux(here, statuses[0][1])
    found = [path for path, status in statuses if status == "debug-info"]
    if found:
        return ok("debug info", "%s (has .debug_info)" % found[0])
    # as drgn would see it: DEBUGINFOD_URLS in this environment (sudo usually drops it, env_reset)
    usable, reason = debuginfod_verdict(
        os.environ.get("DEBUGINFOD_URLS", "").strip(), drgn_version(), here.distribution.id, built_with_debuginfod()
    )
    if usable:
        return ok("debug info", "no local vmlinux for %s; %s" % (here.release, reason))
    unusable = [describe_unusable(path, status) for path, status in statuses if status != "missing"]
    detail = (
        "no vmlinux with DWARF for %s where drgn looks (/usr/lib/debug/boot, /usr/lib/debug/lib/modules, /boot, "
        "/lib/modules/…/build)" % here.release
    )
    detail += "".join("; " + text for text in unusable)
    if reason != "DEBUGINFOD_URLS is not set":
        detail += "; " + reason
    return fail("debug info", "no-debug-info", detail, hints.debug_info_fix(here.release, here.distribution))


def check_given_vmlinux(here, status):
    """--vmlinux: the only file looked at; it must have DWARF and be the running kernel's."""
    path = here.vmlinux
    if status == "debug-info":
        try:
            drgn_reader.check_vmlinux(path)
        except HelperError as e:
            return fail("debug info", e.code, e.message, e.hint)
        return ok("debug info", "%s (has .debug_info)" % path)
    what = "not there (or not readable)" if status == "missing" else describe_unusable(path, status)
    return fail(
        "debug info",
        "no-debug-info",
        "--vmlinux %s: %s" % (path, what),
        "give --vmlinux the uncompressed vmlinux with DWARF that kernel %s was built from (not /boot/vmlinuz)"
        % here.release,
    )


# --- the proof: the era, as the drgn reader finds it ------------------------------------------


def guessed_era_detail(release):
    era = era_from_release(release)
    if era == "unknown":
        return "not checked (needs the above); the kernel release %s does not say which era" % json.dumps(release)
    return (
        "not checked (needs the above); guessed from the kernel release %s: %s (v6.2 and later are percpu, "
        "older are split-rss)" % (release, era)
    )


def read_self(vmlinux):
    """The drgn reader on this process, up to one sample -> its hello line."""
    prog = drgn_reader.load_program(vmlinux)
    drgn_reader.probe_debug_info(prog, vmlinux)
    stat = check_target(os.getpid())
    sampler = Sampler(drgn_reader.DrgnReader(prog, stat["pid"]), stat, False)
    hello = sampler.hello(1000)
    sampler.sample(0)
    return hello


# what the drgn reader needs before it is worth starting (it takes seconds to load the DWARF)
_ERA_NEEDS = ("root", "lockdown", "/proc/kcore", "drgn", "debug info")


def check_era(here, checks, read=read_self):
    if here.euid != 0 or any(checks[name].status in ("fail", "skipped") for name in _ERA_NEEDS):
        return skipped("rss_stat era", guessed_era_detail(here.release))
    try:
        return ok("rss_stat era", describe_hello(read(here.vmlinux)))
    except HelperError as e:
        return fail("rss_stat era", e.code, "the drgn reader failed (%s): %s" % (e.code, e.message), e.hint or TRY_IT)
