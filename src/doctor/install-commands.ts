// The command that installs each missing piece, per distribution family. Commands a user pastes,
// so they carry `sudo` when the target user is not root.
import type { DistroFamily } from "./os-release.js";
import { DISTRO_PYTHON } from "../sources/python.js";

export interface InstallContext {
  family: DistroFamily;
  /** the target's user is root: no `sudo` prefix */
  root: boolean;
}

function asRoot(command: string, ctx: InstallContext): string {
  return ctx.root ? command : `sudo ${command}`;
}

export function installPython(ctx: InstallContext): string {
  switch (ctx.family) {
    case "debian":
    case "ubuntu":
      return asRoot("apt install python3", ctx);
    case "fedora":
      return asRoot("dnf install python3", ctx);
    case "other":
      return "install python3 with your distribution's package manager";
  }
}

/**
 * drgn for the helper's python. The packages install for /usr/bin/python3; when `otherPython`
 * (the helper's interpreter, e.g. pyenv's) is another one, say that the package needs --python too
 * (helpers/rss_stat.py's drgn_install_hint words it the same way).
 */
export function installDrgn(ctx: InstallContext, otherPython?: string): string {
  const forOther = (command: string) =>
    otherPython === undefined
      ? command
      : `${command} (it installs for ${DISTRO_PYTHON}, and this is ${otherPython}: then rerun with --python ${DISTRO_PYTHON})`;
  switch (ctx.family) {
    case "debian":
    case "ubuntu":
      return forOther(asRoot("apt install python3-drgn", ctx));
    case "fedora":
      return forOther(asRoot("dnf install drgn", ctx));
    case "other":
      return asRoot("pip install drgn", ctx);
  }
}

/**
 * What the package manager on the target says about the debug-info package for the running kernel:
 * it has one to install, it knows none (a custom, self-built or third-party kernel), or it could
 * not be asked. Only Debian and Ubuntu are asked (apt-cache policy).
 */
export type PackageState = "available" | "none" | "unknown";

/** The debug-info package for kernel `release` on Debian or Ubuntu. */
export function debugInfoPackage(family: "debian" | "ubuntu", release: string): string {
  return family === "debian" ? `linux-image-${release}-dbg` : `linux-image-${release}-dbgsym`;
}

/** Debug info (vmlinux with DWARF) for kernel `release`; never claims a package the target does not have. */
export function installDebugInfo(ctx: InstallContext, release: string, state: PackageState = "unknown"): string {
  const vmlinux = `pass --vmlinux PATH to the uncompressed vmlinux with DWARF that ${release} was built from`;
  switch (ctx.family) {
    case "debian":
    case "ubuntu": {
      const name = debugInfoPackage(ctx.family, release);
      const install = asRoot(`apt install ${name}`, ctx);
      if (state === "available") return install;
      if (state === "none" && ctx.family === "debian") {
        return `apt knows no ${name} (not a Debian kernel, or an older one no longer in the archive): ${vmlinux}`;
      }
      const ddebs = ctx.family === "ubuntu" ? `enable the debug symbol archive (ddebs, see Ubuntu's "Debug Symbol Packages" page), then ` : "";
      return `if your distribution packages this kernel's debug info: ${ddebs}${install}; otherwise ${vmlinux}`;
    }
    case "fedora":
      return `if ${release} is a Fedora kernel: ${asRoot(`dnf debuginfo-install kernel-${release}`, ctx)}; otherwise ${vmlinux}`;
    case "other":
      return `install your distribution's kernel debug info for ${release} (a vmlinux with DWARF, e.g. at /usr/lib/debug/boot/vmlinux-${release}), or ${vmlinux}`;
  }
}
