"""`rss_stat.py --check` (rssdrift_helper/checks.py, bpf_checks.py, drgn_checks.py): the pure
decisions and words, each check against stand-ins for what it cannot make happen here (a reader
that refuses, a kernel locked down), and the whole script as `rssdrift doctor` starts it, on this
machine, as root and as nobody. The readers' proofs on real kernels are in the lab.

    python3 -m unittest discover -s helpers -p 'test_*.py'
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import types
import unittest

from rssdrift_helper import bpf_checks, bpf_reader, check_result, checks, drgn_checks, hints
from rssdrift_helper.protocol import HelperError
from schema_check import REPO, schema_errors, validator_missing

SCRIPT = os.path.join(REPO, "helpers", "rss_stat.py")
DEADLINE_S = 120  # only so that a broken test cannot hang
NAMES = list(checks.BACKEND_OF)


def lab_hello():
    """The hello line the trixie lab VM's drgn reader sent (6.12, 4 CPUs), as recorded."""
    with open(os.path.join(REPO, "test", "fixtures", "lab-6.12-4cpu.jsonl")) as f:
        return next(line for line in map(json.loads, f) if line["type"] == "hello")


BPF_HELLO = {
    "type": "hello",
    "protocol": 1,
    "backend": "bpf",
    "kernel": "6.18.0-test",
    "drgn": None,
    "page_size": 4096,
    "cpus": {"online": [0, 1], "possible": [0, 1]},
    "batch": 32,
    "era": "percpu",
    "era_source": "type",
    "layout": "struct percpu_counter [4]",
    "slot_kind": "cpu",
    "fault_around_pages": 16,
    "target": {"pid": 99, "comm": "python3", "start_time": 1, "threads": 1},
    "interval_ms": 1000,
    "smaps": False,
    "bpf": {"per_cpu_offsets": "runqueues", "insns": 321, "btf_ms": 48.5, "load_ms": 1.5},
}


def here(**facts):
    """A stand-in for checks.Here: root on Debian unless told otherwise."""
    values = dict(
        release="6.12.0",
        distribution=hints.Distribution("ID=debian\n"),
        euid=0,
        uid=0,
        user="root",
        through_sudo=False,
        lockdown="none",
        vmlinux=None,
    )
    values.update(facts)
    return types.SimpleNamespace(**values)


def passing():
    """Every check ok, by name."""
    return {name: check_result.ok(name, "fine") for name in NAMES}


class Words(unittest.TestCase):
    def test_names_the_era_layout_batch_and_cpu_count_from_the_hello_line(self):
        hello = lab_hello()
        self.assertEqual(
            check_result.describe_hello(hello),
            "percpu (detected from the kernel's types: mm->rss_stat is struct percpu_counter [4]; batch 32, "
            "4 of 4 CPUs online; "
            "drgn %s)" % hello["drgn"],
        )
        split = dict(hello, era="split-rss", layout="struct mm_rss_stat", batch=None, slot_kind="thread")
        self.assertRegex(
            check_result.describe_hello(split),
            r"^split-rss \(detected from the kernel's types: mm->rss_stat is struct mm_rss_stat, "
            r"plus per-thread caches",
        )

    def test_the_bpf_proof_shows_how_it_found_the_offsets_the_era_and_the_cost(self):
        self.assertEqual(
            bpf_checks.describe_bpf_hello(BPF_HELLO),
            "works: read its own counters with a BPF program; per-CPU offsets from the runqueues (derived); era "
            "percpu (detected from the kernel's types: mm->rss_stat is struct percpu_counter [4]; batch 32, "
            "2 of 2 CPUs online; "
            "bpf); 321 instructions, BTF read in 48.5 ms, loaded in 1.5 ms",
        )

    def test_labels_a_version_based_era_as_a_guess(self):
        self.assertRegex(
            drgn_checks.guessed_era_detail("6.1.0-50-cloud-amd64"),
            r"^not checked \(needs the above\); guessed from the kernel release 6\.1\.0-50-cloud-amd64: split-rss",
        )
        self.assertRegex(
            drgn_checks.guessed_era_detail("6.12.107+deb13-cloud-amd64"), r": percpu \(v6\.2 and later are percpu"
        )
        self.assertRegex(drgn_checks.guessed_era_detail("weird"), r"does not say which era")


class Lockdown(unittest.TestCase):
    def test_only_confidentiality_blocks_and_unknown_is_a_warning(self):
        # security.h orders the reasons ... LOCKDOWN_INTEGRITY_MAX, LOCKDOWN_KCORE, ... and a reason is
        # denied when the active level is >= it: so only confidentiality covers KCORE and BPF_READ_KERNEL
        self.assertEqual(checks.check_lockdown("none").status, "ok")
        self.assertEqual(checks.check_lockdown("integrity").status, "ok")
        confidentiality = checks.check_lockdown("confidentiality")
        self.assertEqual((confidentiality.status, confidentiality.code), ("fail", "lockdown"))
        self.assertIn("lockdown=confidentiality", confidentiality.fix)
        unknown = checks.check_lockdown(None)
        self.assertEqual(unknown.status, "warn")
        self.assertTrue(unknown.detail.startswith("mode unknown"))


class Kcore(unittest.TestCase):
    def test_reads_the_kernel_config_line_both_ways(self):
        self.assertEqual(drgn_checks.parse_kcore_config("CONFIG_PROC_KCORE=y\n"), "built")
        self.assertEqual(drgn_checks.parse_kcore_config("# CONFIG_PROC_KCORE is not set\n"), "not-built")
        self.assertEqual(drgn_checks.parse_kcore_config(""), "unknown")
        self.assertEqual(drgn_checks.parse_kcore_config("CONFIG_PROC_KCORE_EXTRA=y\n"), "unknown")

    def test_a_missing_kcore_is_explained_by_the_config(self):
        self.assertIn("built without CONFIG_PROC_KCORE", drgn_checks.explain_missing_kcore("not-built")[0])
        self.assertIn("hides it", drgn_checks.explain_missing_kcore("built")[0])
        self.assertIn("host", drgn_checks.explain_missing_kcore("unknown")[1])

    def test_as_this_machine_has_it(self):
        result = drgn_checks.check_kcore(here(release=os.uname().release, euid=os.geteuid()))
        self.assertEqual(result.status == "fail", not os.path.exists(drgn_checks.KCORE))


class DrgnVersions(unittest.TestCase):
    def test_reads_the_release_numbers_of_the_versions_drgn_prints(self):
        self.assertEqual(drgn_checks.parse_release("0.0.31\n"), (0, 0, 31))
        self.assertEqual(drgn_checks.parse_release("0.0.22+unknown"), (0, 0, 22))
        self.assertEqual(drgn_checks.parse_release("0.0.27.dev45+g1a2b3c4"), (0, 0, 27))
        self.assertIsNone(drgn_checks.parse_release("unknown"))

    def test_compares_numerically_with_missing_parts_as_zero(self):
        self.assertFalse(drgn_checks.at_least((0, 0, 9), (0, 0, 22)))
        self.assertTrue(drgn_checks.at_least((0, 1), (0, 0, 33)))
        self.assertTrue(drgn_checks.at_least((0, 0, 31), (0, 0, 31, 0)))

    def test_debuginfod_counts_only_for_drgn_0_0_31_or_newer_on_fedora_built_with_it(self):
        verdict = drgn_checks.debuginfod_verdict
        self.assertTrue(verdict("https://debuginfod.example/", "0.0.31", "fedora", True)[0])
        self.assertTrue(verdict("https://debuginfod.example/", "0.0.31", "fedora", None)[0])
        self.assertEqual(verdict("", "0.0.31", "fedora", True), (False, "DEBUGINFOD_URLS is not set"))
        self.assertRegex(verdict("u", "0.0.22", "fedora", True)[1], r"0\.0\.22 cannot use debuginfod")
        self.assertRegex(verdict("u", "0.0.31", "debian", True)[1], r"only on Fedora")
        self.assertRegex(verdict("u", "0.0.31", "fedora", False)[1], r"built without debuginfod")
        self.assertFalse(verdict("u", None, "fedora", True)[0])

    def test_drgn_as_this_interpreter_imports_it(self):
        result = drgn_checks.check_drgn(here())
        try:
            import drgn  # noqa: F401
        except ImportError:
            self.assertEqual((result.status, result.code), ("fail", "no-drgn"))
            self.assertTrue(result.detail.startswith("not installed for %s" % sys.executable), result.detail)
            self.assertEqual(
                result.fix, hints.drgn_fix(sys.executable, sys.prefix != sys.base_prefix, here().distribution)
            )
        else:
            self.assertEqual(result.status, "ok")


class DebugInfoFiles(unittest.TestCase):
    """The ELF probe against real files: binaries built here with and without DWARF, a debug-only
    file as distributions ship them (objcopy --only-keep-debug, like vmlinux in linux-image-*-dbg),
    and things that are not ELF at all."""

    @classmethod
    def setUpClass(cls):
        if not all(shutil.which(tool) for tool in ("gcc", "objcopy", "strip")):
            raise unittest.SkipTest("needs gcc, objcopy and strip")
        cls.dir = tempfile.mkdtemp(prefix="rssdrift-elf-")
        cls.file = staticmethod(lambda name: os.path.join(cls.dir, name))
        with open(cls.file("prog.c"), "w") as f:
            f.write("int answer = 42;\nint main(void) { return answer - 42; }\n")
        for argv in (
            ["gcc", "-g", "-o", cls.file("with-dwarf"), cls.file("prog.c")],
            ["gcc", "-g0", "-o", cls.file("without-dwarf"), cls.file("prog.c")],
            ["strip", "-o", cls.file("stripped"), cls.file("with-dwarf")],
            ["objcopy", "--only-keep-debug", cls.file("with-dwarf"), cls.file("debug-only")],
        ):
            subprocess.run(argv, check=True)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_tells_files_with_dwarf_from_files_without(self):
        statuses = {
            name: drgn_checks.dwarf_status(self.file(name))
            for name in ("with-dwarf", "debug-only", "without-dwarf", "stripped")
        }
        self.assertEqual(
            statuses,
            {
                "with-dwarf": "debug-info",
                "debug-only": "debug-info",
                "without-dwarf": "no-debug-info",
                "stripped": "no-debug-info",
            },
        )

    def test_reads_32_bit_elf_too_when_gcc_can_build_one(self):
        if (
            subprocess.run(
                ["gcc", "-m32", "-g", "-c", "-o", self.file("prog32.o"), self.file("prog.c")], capture_output=True
            ).returncode
            != 0
        ):
            self.skipTest("no 32-bit multilib here")
        self.assertEqual(drgn_checks.dwarf_status(self.file("prog32.o")), "debug-info")

    def test_says_what_is_wrong_with_paths_that_are_not_elf_files(self):
        self.assertEqual(drgn_checks.dwarf_status(self.file("prog.c")), "not-elf")
        self.assertEqual(drgn_checks.dwarf_status(self.file("nothing-here")), "missing")
        self.assertRegex(drgn_checks.dwarf_status(self.dir), r"^unreadable: ")

    def test_vmlinux_names_the_one_file_looked_at(self):
        missing = drgn_checks.check_debug_info(here(vmlinux=self.file("nothing-here")))
        self.assertEqual((missing.status, missing.code), ("fail", "no-debug-info"))
        self.assertEqual(missing.detail, "--vmlinux %s: not there (or not readable)" % self.file("nothing-here"))
        self.assertIn("not /boot/vmlinuz", missing.fix)
        stripped = drgn_checks.check_debug_info(here(vmlinux=self.file("stripped")))
        self.assertEqual(stripped.detail, "--vmlinux %s: %s has no DWARF (stripped)" % ((self.file("stripped"),) * 2))

    def test_follows_drgns_search_path_in_order(self):
        self.assertEqual(
            drgn_checks.vmlinux_candidates("6.1.0-50-cloud-amd64"),
            [
                "/usr/lib/debug/boot/vmlinux-6.1.0-50-cloud-amd64",
                "/usr/lib/debug/lib/modules/6.1.0-50-cloud-amd64/vmlinux",
                "/boot/vmlinux-6.1.0-50-cloud-amd64",
                "/lib/modules/6.1.0-50-cloud-amd64/build/vmlinux",
            ],
        )


class Capabilities(unittest.TestCase):
    def test_reads_cap_bpf_perfmon_and_sys_admin_from_the_mask(self):
        held = lambda text: bpf_checks.held_capabilities(bpf_reader.effective_capabilities(text))  # noqa: E731
        self.assertEqual(held("Name:\tx\nCapEff:\t000001ffffffffff\n"), ["CAP_BPF", "CAP_PERFMON", "CAP_SYS_ADMIN"])
        self.assertEqual(held("CapEff:\t0000000000000000\n"), [])
        self.assertEqual(held("CapEff:\t00000000a80425fb\n"), [])  # docker's default set
        self.assertEqual(held("CapEff:\t000000c000000000\n"), ["CAP_BPF", "CAP_PERFMON"])
        self.assertEqual(held("CapEff:\t0000000000200000\n"), ["CAP_SYS_ADMIN"])


def refusing(code, message, hint=None):
    def read():
        raise HelperError(code, message, hint)

    return read


class BpfProof(unittest.TestCase):
    def test_shows_the_readers_hello_when_it_works(self):
        [result] = bpf_checks.check_bpf(here(), passing(), read=lambda: BPF_HELLO)
        self.assertEqual(result.status, "ok")
        self.assertTrue(result.detail.startswith("works: read its own counters"))

    def test_turns_the_readers_no_btf_into_a_failed_btf_check_though_the_file_test_passed(self):
        bpf, btf = bpf_checks.check_bpf(
            here(), passing(), read=refusing("no-btf", "BTF has no struct mm_struct", bpf_reader.NO_BTF_HINT)
        )
        self.assertEqual((bpf.name, bpf.status, bpf.detail), ("bpf()", "fail", "refused (no-btf): see BTF"))
        self.assertEqual((btf.name, btf.status, btf.code), ("BTF", "fail", "no-btf"))
        self.assertEqual(btf.detail, "the bpf reader says (no-btf): BTF has no struct mm_struct")
        self.assertIn("CONFIG_DEBUG_INFO_BTF", btf.fix)

    def test_turns_the_readers_lockdown_into_a_failed_lockdown_check_with_its_fix(self):
        results = bpf_checks.check_bpf(
            here(),
            passing(),
            read=refusing(
                "lockdown", "bpf_probe_read_kernel: confidentiality", "boot without lockdown=confidentiality"
            ),
        )
        lockdown = {result.name: result for result in results}["lockdown"]
        self.assertEqual((lockdown.status, lockdown.fix), ("fail", "boot without lockdown=confidentiality"))

    def test_leaves_a_check_that_failed_already_in_its_own_words(self):
        failed = dict(passing(), BTF=check_result.fail("BTF", "no-btf", "missing", "x"))
        results = bpf_checks.check_bpf(here(), failed, read=refusing("no-btf", "gone"))
        self.assertEqual([result.name for result in results], ["bpf()"])

    def test_keeps_a_refused_bpf_and_a_failed_self_check_on_its_own_line_each_with_its_fix(self):
        [refused] = bpf_checks.check_bpf(
            here(), passing(), read=refusing("bpf-refused", "EPERM (seccomp?)", bpf_reader.REFUSED_HINT)
        )
        self.assertEqual(refused.detail, "the helper's bpf reader failed (bpf-refused): EPERM (seccomp?)")
        self.assertRegex(refused.fix, r"CAP_BPF and CAP_PERFMON")
        [self_check] = bpf_checks.check_bpf(
            here(), passing(), read=refusing("self-check-failed", "cpu 1: rq->cpu is 0")
        )
        self.assertEqual((self_check.status, self_check.code), ("fail", "self-check-failed"))
        self.assertEqual(self_check.fix, bpf_checks.TRY_IT)

    def test_is_not_tried_without_root_or_capabilities(self):
        no_caps = dict(
            passing(), capabilities=check_result.fail("capabilities", "not-root", "none", bpf_checks.FIX_CAPS)
        )
        [result] = bpf_checks.check_bpf(here(euid=1000), no_caps, read=refusing("internal", "must not run"))
        self.assertEqual(result.status, "skipped")


class EraProof(unittest.TestCase):
    def test_is_not_tried_while_a_check_it_needs_failed_and_says_a_guess_instead(self):
        for name in ("root", "/proc/kcore", "drgn", "debug info", "lockdown"):
            failed = dict(passing(), **{name: check_result.fail(name, "x", "no")})
            result = drgn_checks.check_era(here(release="6.1.0"), failed, read=refusing("internal", "must not run"))
            self.assertEqual(result.status, "skipped", name)
            self.assertIn("guessed from the kernel release 6.1.0: split-rss", result.detail)

    def test_fails_with_the_readers_own_error_and_fix(self):
        result = drgn_checks.check_era(
            here(), passing(), read=lambda vmlinux: refusing("unsupported-layout", "odd", "later")()
        )
        self.assertEqual(
            (result.status, result.code, result.detail, result.fix),
            ("fail", "unsupported-layout", "the drgn reader failed (unsupported-layout): odd", "later"),
        )

    def test_names_the_era_the_reader_found(self):
        hello = lab_hello()
        result = drgn_checks.check_era(here(), passing(), read=lambda vmlinux: hello)
        self.assertEqual((result.status, result.detail), ("ok", check_result.describe_hello(hello)))


class Line(unittest.TestCase):
    def test_a_check_that_raises_is_that_checks_failure_and_the_others_still_run(self):
        def broken(_here):
            raise KeyError("oops")

        [result] = checks.guarded("/proc/kcore", broken, here())
        self.assertEqual((result.name, result.status, result.code), ("/proc/kcore", "fail", "internal"))
        self.assertIn("KeyError", result.detail)

    def test_auto_takes_bpf_then_drgn_then_the_estimate(self):
        everything = passing()
        self.assertEqual(checks.auto_backend(everything), "bpf")
        no_bpf = dict(everything, **{"bpf()": check_result.fail("bpf()", "bpf-refused", "no")})
        self.assertEqual(checks.auto_backend(no_bpf), "drgn")
        self.assertEqual(
            checks.auto_backend(dict(no_bpf, **{"rss_stat era": check_result.skipped("rss_stat era", "no")})), "procfs"
        )


def run_check(prefix=()):
    result = subprocess.run(
        list(prefix) + [sys.executable if not prefix else "/usr/bin/python3", "-I", SCRIPT, "--check"],
        capture_output=True,
        text=True,
        timeout=DEADLINE_S,
        stdin=subprocess.DEVNULL,
    )
    return result


class Script(unittest.TestCase):
    """The whole check mode, as a subprocess on this machine."""

    def check_line(self, result):
        self.assertEqual(result.stderr, "")  # never a traceback
        self.assertEqual(result.returncode, 0)
        lines = result.stdout.splitlines()
        self.assertEqual(len(lines), 1, lines)
        line = json.loads(lines[0])
        self.assertEqual([entry["check"] for entry in line["checks"]], NAMES)
        self.assertEqual(line["kernel"], os.uname().release)
        for entry in line["checks"]:
            self.assertEqual(entry["code"] is None, entry["status"] != "fail", entry)
        problem = validator_missing()
        if problem is None:
            self.assertEqual(schema_errors(lines), [])
        return {entry["check"]: entry for entry in line["checks"]}, line

    def test_as_this_user(self):
        found, line = self.check_line(run_check())
        self.assertEqual(line["euid"], os.geteuid())
        self.assertEqual(found["root"]["status"], "ok" if os.geteuid() == 0 else "fail")
        self.assertEqual(found["BTF"]["status"], "ok" if os.path.exists("/sys/kernel/btf/vmlinux") else "fail")
        self.assertEqual(found["/proc/kcore"]["status"] == "fail", not os.path.exists("/proc/kcore"))
        self.assertEqual(
            line["auto"],
            checks.auto_backend({name: types.SimpleNamespace(status=entry["status"]) for name, entry in found.items()}),
        )

    def test_as_nobody(self):
        if os.geteuid() != 0 or shutil.which("setpriv") is None or not os.path.exists("/usr/bin/python3"):
            self.skipTest("needs root, setpriv and /usr/bin/python3")
        found, line = self.check_line(run_check(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"]))
        self.assertEqual((line["euid"], line["uid"]), (65534, 65534))
        self.assertEqual((found["root"]["status"], found["root"]["code"]), ("fail", "not-root"))
        self.assertEqual(found["capabilities"]["status"], "fail")
        self.assertEqual(found["bpf()"]["status"], "skipped")
        self.assertEqual(found["rss_stat era"]["status"], "skipped")
        self.assertEqual(line["auto"], "procfs")


if __name__ == "__main__":
    unittest.main()
