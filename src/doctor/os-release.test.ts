import { describe, expect, it } from "vitest";
import { distroFamily, parseOsRelease } from "./os-release.js";
import { installDebugInfo, installDrgn } from "./install-commands.js";

// os-release texts as the distributions ship them (quoting styles differ on purpose)
const debian = `PRETTY_NAME="Debian GNU/Linux 13 (trixie)"
NAME="Debian GNU/Linux"
VERSION_ID="13"
ID=debian
VERSION_CODENAME=trixie
`;
const ubuntu = `NAME="Ubuntu"
VERSION="24.04.1 LTS (Noble Numbat)"
ID=ubuntu
ID_LIKE=debian
PRETTY_NAME="Ubuntu 24.04.1 LTS"
`;
const mint = `NAME="Linux Mint"
ID=linuxmint
ID_LIKE="ubuntu debian"
PRETTY_NAME="Linux Mint 22"
`;
const fedora = `NAME="Fedora Linux"
VERSION="41 (Workstation Edition)"
ID=fedora
PRETTY_NAME="Fedora Linux 41 (Workstation Edition)"
`;
const rocky = `NAME="Rocky Linux"
ID="rocky"
ID_LIKE="rhel centos fedora"
PRETTY_NAME='Rocky Linux 9.4 (Blue Onyx)'
`;
const arch = `NAME="Arch Linux"
PRETTY_NAME="Arch Linux"
ID=arch
BUILD_ID=rolling
`;

describe("parseOsRelease", () => {
  it("reads ID, ID_LIKE and PRETTY_NAME with either quoting", () => {
    expect(parseOsRelease(debian)).toEqual({ id: "debian", idLike: [], prettyName: "Debian GNU/Linux 13 (trixie)" });
    expect(parseOsRelease(rocky)).toEqual({ id: "rocky", idLike: ["rhel", "centos", "fedora"], prettyName: "Rocky Linux 9.4 (Blue Onyx)" });
  });

  it("undoes shell escapes inside double quotes and skips comments", () => {
    const os = parseOsRelease('# a comment\nID=x\nPRETTY_NAME="say \\"hi\\" \\$HOME"\n');
    expect(os.prettyName).toBe('say "hi" $HOME');
  });

  it("copes with an empty file", () => {
    expect(parseOsRelease("")).toEqual({ id: "", idLike: [], prettyName: "unknown Linux" });
  });
});

describe("distroFamily", () => {
  it.each([
    [debian, "debian"],
    [ubuntu, "ubuntu"],
    [mint, "ubuntu"],
    [fedora, "fedora"],
    [rocky, "fedora"],
    [arch, "other"],
  ])("%#: family %s", (text, family) => {
    expect(distroFamily(parseOsRelease(text))).toBe(family);
  });
});

describe("install commands", () => {
  const release = "6.12.107+deb13-cloud-amd64";
  it("names each family's drgn package, with sudo only when not root", () => {
    expect(installDrgn({ family: "debian", root: true })).toBe("apt install python3-drgn");
    expect(installDrgn({ family: "ubuntu", root: false })).toBe("sudo apt install python3-drgn");
    expect(installDrgn({ family: "fedora", root: true })).toBe("dnf install drgn");
    expect(installDrgn({ family: "other", root: true })).toBe("pip install drgn");
  });

  it("says the drgn package serves /usr/bin/python3 when the helper runs another python", () => {
    expect(installDrgn({ family: "debian", root: true }, "/root/.pyenv/versions/3.11.7/bin/python3")).toBe(
      "apt install python3-drgn (it installs for /usr/bin/python3, and this is /root/.pyenv/versions/3.11.7/bin/python3: then rerun with --python /usr/bin/python3)",
    );
    expect(installDrgn({ family: "other", root: true }, "/opt/py/bin/python3")).toBe("pip install drgn");
  });

  it("names the kernel debug info package for the exact release when apt has it", () => {
    expect(installDebugInfo({ family: "debian", root: true }, release, "available")).toBe(`apt install linux-image-${release}-dbg`);
    expect(installDebugInfo({ family: "ubuntu", root: false }, release, "available")).toBe(`sudo apt install linux-image-${release}-dbgsym`);
  });

  it("does not claim a package apt does not know, and is conditional when it could not ask", () => {
    const none = installDebugInfo({ family: "debian", root: true }, "6.18.44-custom", "none");
    expect(none).not.toMatch(/apt install/);
    expect(none).toMatch(/apt knows no linux-image-6\.18\.44-custom-dbg.*--vmlinux PATH/);
    const unknown = installDebugInfo({ family: "debian", root: true }, release, "unknown");
    expect(unknown).toMatch(new RegExp(`^if your distribution packages this kernel's debug info: apt install linux-image-${release.replace(/[.+]/g, "\\$&")}-dbg; otherwise pass --vmlinux PATH`));
    expect(installDebugInfo({ family: "ubuntu", root: true }, release)).toMatch(/^if .*ddebs.*-dbgsym; otherwise pass --vmlinux/);
    expect(installDebugInfo({ family: "fedora", root: false }, release)).toBe(
      `if ${release} is a Fedora kernel: sudo dnf debuginfo-install kernel-${release}; otherwise pass --vmlinux PATH to the uncompressed vmlinux with DWARF that ${release} was built from`,
    );
  });
});
