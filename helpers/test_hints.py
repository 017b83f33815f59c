"""The fixes the helper gives (rssdrift_helper/hints.py), the one home of the install commands:
the distribution read from os-release texts as distributions ship them, and the command per
distribution family, with `sudo` only for a user who is not root.

    python3 -m unittest discover -s helpers -p 'test_*.py'
"""

import os
import unittest
from unittest import mock

from rssdrift_helper import hints

# os-release texts as the distributions ship them (quoting styles differ on purpose)
DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 13 (trixie)"\nNAME="Debian GNU/Linux"\nVERSION_ID="13"\nID=debian\n'
UBUNTU = (
    'NAME="Ubuntu"\nVERSION="24.04.1 LTS (Noble Numbat)"\nID=ubuntu\nID_LIKE=debian\nPRETTY_NAME="Ubuntu 24.04.1 LTS"\n'
)
MINT = 'NAME="Linux Mint"\nID=linuxmint\nID_LIKE="ubuntu debian"\nPRETTY_NAME="Linux Mint 22"\n'
FEDORA = 'NAME="Fedora Linux"\nVERSION="41 (Workstation Edition)"\nID=fedora\nPRETTY_NAME="Fedora Linux 41 (Workstation Edition)"\n'  # noqa: E501 (a program or file as one string)
ROCKY = 'NAME="Rocky Linux"\nID="rocky"\nID_LIKE="rhel centos fedora"\nPRETTY_NAME=\'Rocky Linux 9.4 (Blue Onyx)\'\n'
ARCH = 'NAME="Arch Linux"\nPRETTY_NAME="Arch Linux"\nID=arch\nBUILD_ID=rolling\n'
RELEASE = "6.12.107+deb13-cloud-amd64"


class Distribution(unittest.TestCase):
    def test_reads_id_id_like_and_pretty_name_with_either_quoting(self):
        debian = hints.Distribution(DEBIAN)
        self.assertEqual(
            (debian.id, debian.id_like, debian.pretty_name), ("debian", [], "Debian GNU/Linux 13 (trixie)")
        )
        rocky = hints.Distribution(ROCKY)
        self.assertEqual(
            (rocky.id, rocky.id_like, rocky.pretty_name),
            ("rocky", ["rhel", "centos", "fedora"], "Rocky Linux 9.4 (Blue Onyx)"),
        )

    def test_undoes_shell_escapes_inside_double_quotes_and_skips_comments(self):
        self.assertEqual(
            hints.Distribution('# a comment\nID=x\nPRETTY_NAME="say \\"hi\\" \\$HOME"\n').pretty_name, 'say "hi" $HOME'
        )

    def test_copes_with_an_empty_file(self):
        empty = hints.Distribution("")
        self.assertEqual((empty.id, empty.pretty_name, empty.family), ("", "unknown Linux", "other"))

    def test_family(self):
        for text, family in (
            (DEBIAN, "debian"),
            (UBUNTU, "ubuntu"),
            (MINT, "ubuntu"),
            (FEDORA, "fedora"),
            (ROCKY, "fedora"),
            (ARCH, "other"),
        ):
            self.assertEqual(hints.Distribution(text).family, family, text)


class Drgn(unittest.TestCase):
    def test_names_each_familys_package_with_sudo_only_when_not_root(self):
        self.assertEqual(hints.drgn_hint("debian", True), "apt install python3-drgn")
        self.assertEqual(hints.drgn_hint("ubuntu", False), "sudo apt install python3-drgn")
        self.assertEqual(hints.drgn_hint("fedora", True), "dnf install drgn")
        self.assertEqual(
            hints.drgn_hint("other", True), "install your distribution's drgn package, or: python3 -m pip install drgn"
        )
        self.assertEqual(
            hints.drgn_hint("other", False, "/opt/py/bin/python3"),
            "install your distribution's drgn package, or: sudo /opt/py/bin/python3 -m pip install drgn",
        )

    def test_says_the_package_serves_the_distributions_python3_when_the_helper_runs_another(self):
        self.assertEqual(
            hints.drgn_hint("debian", True, "/root/.pyenv/versions/3.11.7/bin/python3"),
            "apt install python3-drgn (it installs for /usr/bin/python3, and this is "
            "/root/.pyenv/versions/3.11.7/bin/python3: then rerun with --python /usr/bin/python3)",
        )

    def test_names_python_when_the_distributions_python3_already_has_drgn(self):
        hint = hints.drgn_hint("debian", True, "/tmp/py/bin/python3", distro_has_drgn=True)
        self.assertTrue(
            hint.startswith("drgn is installed for /usr/bin/python3, but the helper ran /tmp/py/bin/python3"), hint
        )
        self.assertIn("rerun with --python /usr/bin/python3", hint)
        # the distribution's own python3 is never told to use itself
        self.assertEqual(hints.drgn_hint("debian", True, None, distro_has_drgn=True), "apt install python3-drgn")

    def test_another_python_is_another_binary_or_a_venv(self):
        self.assertIsNone(hints.other_than_distro_python(hints.DISTRO_PYTHON, False))
        self.assertEqual(hints.other_than_distro_python(hints.DISTRO_PYTHON, True), hints.DISTRO_PYTHON)
        self.assertEqual(hints.other_than_distro_python("/opt/py/bin/python3", False), "/opt/py/bin/python3")


class DebugInfo(unittest.TestCase):
    def test_names_the_package_for_the_exact_release_when_apt_has_it(self):
        self.assertEqual(
            hints.debug_info_hint("debian", RELEASE, True, "available"), "apt install linux-image-%s-dbg" % RELEASE
        )
        self.assertEqual(
            hints.debug_info_hint("ubuntu", RELEASE, False, "available"),
            "sudo apt install linux-image-%s-dbgsym" % RELEASE,
        )

    def test_does_not_claim_a_package_apt_does_not_know_and_is_conditional_when_it_could_not_ask(self):
        none = hints.debug_info_hint("debian", "6.18.44-custom", True, "none")
        self.assertNotIn("apt install", none)
        self.assertRegex(none, r"^apt knows no linux-image-6\.18\.44-custom-dbg .*--vmlinux PATH")
        self.assertTrue(
            hints.debug_info_hint("debian", RELEASE, True).startswith(
                "if your distribution packages this kernel's debug info: apt install linux-image-%s-dbg; otherwise pass "  # noqa: E501 (a program or file as one string)
                "--vmlinux PATH" % RELEASE
            )
        )
        self.assertRegex(
            hints.debug_info_hint("ubuntu", RELEASE, True), r"^if .*ddebs.*-dbgsym; otherwise pass --vmlinux"
        )
        self.assertEqual(
            hints.debug_info_hint("fedora", RELEASE, False),
            "if %s is a Fedora kernel: sudo dnf debuginfo-install kernel-%s; otherwise pass --vmlinux PATH to the "
            "uncompressed vmlinux with DWARF that %s was built from" % (RELEASE, RELEASE, RELEASE),
        )
        self.assertIn("--vmlinux PATH", hints.debug_info_hint("other", RELEASE, True))

    def test_asks_apt_only_with_package_lists(self):
        if not os.path.exists(hints.APT_CACHE):
            self.skipTest("no apt here")
        with mock.patch.object(hints, "_apt_lists", return_value=[]):
            self.assertEqual(hints.apt_package_state("apt"), "unknown")
        if not any("_Packages" in name for name in hints._apt_lists()):
            self.skipTest("apt has no package lists here")
        self.assertEqual(hints.apt_package_state("rssdrift-no-such-package"), "none")
        self.assertEqual(hints.apt_package_state("apt"), "available")


class WhoPastes(unittest.TestCase):
    def test_root_through_sudo_pastes_with_sudo(self):
        with mock.patch.object(os, "geteuid", return_value=0), mock.patch.dict(os.environ, {"SUDO_UID": "1000"}):
            self.assertFalse(hints.user_is_root())
        with mock.patch.object(os, "geteuid", return_value=0), mock.patch.dict(os.environ, clear=True):
            self.assertTrue(hints.user_is_root())
        with mock.patch.object(os, "geteuid", return_value=1000), mock.patch.dict(os.environ, clear=True):
            self.assertFalse(hints.user_is_root())


if __name__ == "__main__":
    unittest.main()
