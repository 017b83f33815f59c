// The command that installs each missing piece, per distribution family. Commands a user pastes,
// so they carry `sudo` when the target user is not root.
import type { DistroFamily } from "./os-release.js";

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

export function installDrgn(ctx: InstallContext): string {
  switch (ctx.family) {
    case "debian":
    case "ubuntu":
      return asRoot("apt install python3-drgn", ctx);
    case "fedora":
      return asRoot("dnf install drgn", ctx);
    case "other":
      return asRoot("pip install drgn", ctx);
  }
}

/** Debug info (vmlinux with DWARF) for kernel `release`. */
export function installDebugInfo(ctx: InstallContext, release: string): string {
  switch (ctx.family) {
    case "debian":
      return asRoot(`apt install linux-image-${release}-dbg`, ctx);
    case "ubuntu":
      return `enable the debug symbol archive (ddebs, see Ubuntu's "Debug Symbol Packages" page), then: ${asRoot(
        `apt install linux-image-${release}-dbgsym`,
        ctx,
      )}`;
    case "fedora":
      return asRoot(`dnf debuginfo-install kernel-${release}`, ctx);
    case "other":
      return `install your distribution's kernel debug info for ${release} (a vmlinux with DWARF), e.g. at /usr/lib/debug/boot/vmlinux-${release}`;
  }
}
