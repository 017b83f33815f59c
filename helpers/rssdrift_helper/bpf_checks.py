"""--check for the bpf backend: the kernel's BTF, the capabilities the helper runs with, and the
proof, bpf(): the bpf reader itself, loaded and run once on the helper's own process, up to its
first sample (a read that fails its own check fails there). When the reader refuses, its error
code names the check that failed (BTF, capabilities, lockdown), and that check shows the
reader's own words and fix."""

import os

from . import bpf_reader, btf
from .check_result import describe_hello, fail, ok, skipped
from .proc import check_target
from .protocol import HelperError
from .sampler import Sampler

FIX_CAPS = (
    "run rssdrift as root (or with sudo -n); in a container, start it with --cap-add BPF --cap-add PERFMON "
    "(older kernels: --cap-add SYS_ADMIN) and a seccomp profile that allows bpf(), or run rssdrift on the host"
)
TRY_IT = "run `rssdrift 1 --backend bpf` to see the helper's own error"

_CAPABILITIES = (
    (bpf_reader.CAP_BPF, "CAP_BPF"),
    (bpf_reader.CAP_PERFMON, "CAP_PERFMON"),
    (bpf_reader.CAP_SYS_ADMIN, "CAP_SYS_ADMIN"),
)

# The check a refusal of the reader points at; the reader's other codes stay on the bpf() line.
_CHECK_OF_CODE = {"no-btf": "BTF", "not-root": "capabilities", "lockdown": "lockdown"}


def check_btf():
    try:
        size = os.stat(btf.VMLINUX).st_size
    except FileNotFoundError:
        return fail(
            "BTF",
            "no-btf",
            "%s is missing: the kernel was built without CONFIG_DEBUG_INFO_BTF" % btf.VMLINUX,
            bpf_reader.NO_BTF_HINT,
        )
    except OSError as e:
        return fail("BTF", "no-btf", "%s: %s" % (btf.VMLINUX, e.strerror), bpf_reader.NO_BTF_HINT)
    return ok(
        "BTF",
        "%s (%.1f MiB): the kernel describes its own types, so no debug info is needed" % (btf.VMLINUX, size / 2**20),
    )


def held_capabilities(capability_mask):
    """The names of the capabilities bpf() cares about that the mask (CapEff) holds."""
    return [name for bit, name in _CAPABILITIES if capability_mask >> bit & 1]


def check_capabilities(here):
    """What the helper runs with: CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN. Root in a container
    often lacks them."""
    with open("/proc/self/status") as f:
        held = held_capabilities(bpf_reader.effective_capabilities(f.read()))
    if {"CAP_BPF", "CAP_PERFMON"} <= set(held) or "CAP_SYS_ADMIN" in held:
        return ok(
            "capabilities",
            "the helper runs with %s%s" % (", ".join(held), " (through sudo)" if here.through_sudo else ""),
        )
    code, why = ("bpf-refused", "root with its capabilities dropped?") if here.euid == 0 else ("not-root", "not root")
    return fail(
        "capabilities",
        code,
        "the helper runs with %s (%s)" % (", ".join(held) or "none of CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN", why),
        FIX_CAPS,
    )


def describe_bpf_hello(hello):
    """How the reader set itself up, the era it found, and what that cost."""
    setup = hello["bpf"]
    if setup["per_cpu_offsets"] == "none":
        offsets = "no per-CPU offsets needed"
    elif setup["per_cpu_offsets"] == "kallsyms":
        offsets = "per-CPU offsets from __per_cpu_offset (kallsyms)"
    else:
        offsets = "per-CPU offsets from the runqueues (derived)"
    return (
        "works: read its own counters with a BPF program; %s; era %s; %d instructions, BTF read in %s ms, "
        "loaded in %s ms" % (offsets, describe_hello(hello), setup["insns"], setup["btf_ms"], setup["load_ms"])
    )


def read_self():
    """The bpf reader on this process, up to one sample -> its hello line."""
    stat = check_target(os.getpid())
    reader = bpf_reader.BpfReader(stat["pid"], stat["comm"])
    try:
        sampler = Sampler(reader, stat, False)
        hello = sampler.hello(1000)
        sampler.sample(0)
        return hello
    finally:
        reader.test_run.close()


def check_bpf(here, checks, read=read_self):
    """-> [the bpf() check, and the earlier check its refusal points at, failed in its words]."""
    if here.euid != 0 and checks["capabilities"].status == "fail":
        return [skipped("bpf()", "not tried (needs root, above)")]
    try:
        return [ok("bpf()", describe_bpf_hello(read()))]
    except HelperError as e:
        return refusal(e, checks)


def refusal(error, checks):
    """The reader knows better than a file test: its failure becomes that check's failure."""
    name = _CHECK_OF_CODE.get(error.code)
    if name is None:
        return [
            fail(
                "bpf()",
                error.code,
                "the helper's bpf reader failed (%s): %s" % (error.code, error.message),
                error.hint or TRY_IT,
            )
        ]
    results = [fail("bpf()", error.code, "refused (%s): see %s" % (error.code, name))]
    if checks[name].status != "fail":
        results.append(
            fail(name, error.code, "the bpf reader says (%s): %s" % (error.code, error.message), error.hint or TRY_IT)
        )
    return results
