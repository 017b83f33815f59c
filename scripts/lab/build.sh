# Image build for scripts/lab/lab: mmdebstrap rootfs -> guest setup -> vmlinux debug file -> ext4 disk.img.
# shellcheck shell=bash
# Sourced by lab after common.sh.

BUILD_STEPS=7
GUEST_PACKAGES=(linux-image-cloud-amd64 initramfs-tools systemd-sysv udev kmod openssh-server
  python3 python3-drgn sudo procps iproute2 util-linux)
DISK_SIZE=4G

# Prints a progress line; BUILD_START (set by build_in_tmp) gives the elapsed time.
step() { log "[$1] step $2/$BUILD_STEPS (+$((SECONDS - BUILD_START))s): $3"; }

# Builds SUITE unless an image exists (FORCE=1 rebuilds). Serialised per suite with a lock file.
build_image() {
  local suite="$1" force="$2" dir
  if dir=$(image_dir "$suite") && [[ "$force" != 1 ]]; then
    log "[$suite] already built: $dir"
    return 0
  fi
  [[ $EUID -eq 0 ]] || die "building an image needs root (mmdebstrap, chroot)"
  [[ -z "$dir" ]] || ! vm_pid "$dir" > /dev/null || die "[$suite] is running from $dir; run: lab down $suite"
  mkdir -p "$LAB_CACHE_ROOT"
  lock_file "$LAB_CACHE_ROOT/.build-$suite.lock"
  if dir=$(image_dir "$suite") && [[ "$force" != 1 ]]; then
    log "[$suite] already built meanwhile: $dir"
  else
    (build_in_tmp "$suite")
  fi
  exec {LOCK_FD}>&-
}

# Runs the build steps in a temporary dir, renamed into place only at the end.
# Runs in a subshell: the EXIT trap removes the temporary dir on any failure.
build_in_tmp() {
  local suite="$1" mirror r kver
  BUILD_START=$SECONDS
  # the log lives outside the temporary dir so that it survives a failed build
  BUILD_LOG="$LAB_CACHE_ROOT/build-$suite.log"
  : > "$BUILD_LOG"
  step "$suite" 1 "host packages (qemu-system-x86 mmdebstrap e2fsprogs openssh-client)"
  ensure_host_packages
  mirror=$(debian_mirror) || die "no Debian mirror in the host's apt configuration (run apt-get update, or set RSSDRIFT_LAB_MIRROR)"

  BUILD_TMP=$(mktemp -d "$LAB_CACHE_ROOT/.build-$suite.XXXXXX")
  trap 'remove_build_dir "$BUILD_TMP"' EXIT
  trap 'exit 130' INT TERM
  r="$BUILD_TMP/rootfs"
  log "[$suite] building in $BUILD_TMP ($(cache_free_gib) GiB free)"

  step "$suite" 2 "mmdebstrap $suite rootfs (${#GUEST_PACKAGES[@]} packages + their dependencies)"
  run_logged "$BUILD_LOG" mmdebstrap --variant=minbase --components=main \
    --include="$(IFS=,; echo "${GUEST_PACKAGES[*]}")" "$suite" "$r" "$mirror"
  kver=$(guest_kernel_version "$r")
  log "[$suite] kernel $kver, python3-drgn $(guest_drgn_version "$r")"

  step "$suite" 3 "guest setup (ssh keys, users rssdrift and nopw, network, fstab)"
  setup_guest "$suite" "$r" "$BUILD_TMP" "$BUILD_LOG"

  fetch_debug_vmlinux "$suite" "$r" "$kver" "$BUILD_LOG"

  step "$suite" 6 "disk image (ext4, $DISK_SIZE sparse)"
  cp "$r/boot/vmlinuz-$kver" "$BUILD_TMP/vmlinuz"
  cp "$r/boot/initrd.img-$kver" "$BUILD_TMP/initrd.img"
  write_image_info "$suite" "$r" "$kver" > "$BUILD_TMP/image.info.tmp"
  run_logged "$BUILD_LOG" mke2fs -q -t ext4 -L rssdrift-lab -d "$r" "$BUILD_TMP/disk.img" "$DISK_SIZE"
  remove_build_dir "$r"

  step "$suite" 7 "install into cache"
  printf 'build_seconds=%s\n' "$((SECONDS - BUILD_START))" >> "$BUILD_TMP/image.info.tmp"
  mv "$BUILD_TMP/image.info.tmp" "$BUILD_TMP/image.info"
  cp "$BUILD_LOG" "$BUILD_TMP/build.log"
  install_build "$suite" "$kver"
  log "[$suite] built $LAB_CACHE_ROOT/$suite-$kver in $((SECONDS - BUILD_START))s" \
    "(disk.img $(du -h "$LAB_CACHE_ROOT/$suite-$kver/disk.img" | cut -f1) used)"
}

# Prints the kernel version installed in ROOTFS (the single cloud kernel).
guest_kernel_version() {
  local images=("$1"/boot/vmlinuz-*-cloud-amd64)
  ((${#images[@]} == 1)) && [[ -f "${images[0]}" ]] || die "expected one cloud kernel in $1/boot"
  printf '%s\n' "${images[0]##*/vmlinuz-}"
}

# Configures ROOTFS for the lab; leaves the client key pair and host public key in OUT.
setup_guest() {
  local suite="$1" r="$2" out="$3" logfile="$4" user
  # The host key is made here, not by the package's postinst, so its public half can go in known_hosts.
  rm -f "$r"/etc/ssh/ssh_host_*
  ssh-keygen -q -t ed25519 -N '' -C "$(ssh_alias "$suite")" -f "$r/etc/ssh/ssh_host_ed25519_key"
  cp "$r/etc/ssh/ssh_host_ed25519_key.pub" "$out/"
  ssh-keygen -q -t ed25519 -N '' -C rssdrift-lab-client -f "$out/id_ed25519"
  printf 'HostKey /etc/ssh/ssh_host_ed25519_key\nPasswordAuthentication no\n' \
    > "$r/etc/ssh/sshd_config.d/rssdrift-lab.conf"

  # rssdrift: passwordless sudo for python3 only; nopw: sudo group, password "nopw", so sudo prompts.
  chroot "$r" useradd --create-home --shell /bin/bash rssdrift
  chroot "$r" useradd --create-home --shell /bin/bash --groups sudo nopw
  echo 'nopw:nopw' | chroot "$r" chpasswd
  printf 'rssdrift ALL=(root) NOPASSWD: /usr/bin/python3\n' > "$r/etc/sudoers.d/rssdrift"
  chmod 0440 "$r/etc/sudoers.d/rssdrift"
  chroot "$r" visudo -cq -f /etc/sudoers.d/rssdrift
  for user in root rssdrift nopw; do
    authorize_key "$r" "$user" "$out/id_ed25519.pub"
  done

  printf '%s\n' "$(ssh_alias "$suite")" > "$r/etc/hostname"
  printf '127.0.0.1 localhost\n127.0.1.1 %s\n' "$(ssh_alias "$suite")" > "$r/etc/hosts"
  printf '/dev/vda / ext4 defaults,noatime 0 1\n' > "$r/etc/fstab"
  # qemu user-mode networking: the guest's fixed address, gateway and DNS inside slirp
  printf '[Match]\nName=eth*\n\n[Network]\nAddress=10.0.2.15/24\nGateway=10.0.2.2\nDNS=10.0.2.3\n' \
    > "$r/etc/systemd/network/10-lab.network"
  run_logged "$logfile" chroot "$r" systemctl enable systemd-networkd
}

# Installs PUBKEY as USER's only authorized key in ROOTFS.
authorize_key() {
  local r="$1" user="$2" home
  home=$(chroot "$r" getent passwd "$user" | cut -d: -f6)
  install -d -m 700 "$r$home/.ssh"
  install -m 600 "$3" "$r$home/.ssh/authorized_keys"
  chroot "$r" chown -R "$user:" "$home/.ssh"
}

# Steps 4-5: downloads linux-image-KVER-dbg with apt inside ROOTFS (same suite and mirror as the
# kernel) and extracts only usr/lib/debug/boot/vmlinux-KVER into ROOTFS; the .deb is then deleted.
fetch_debug_vmlinux() {
  local suite="$1" r="$2" kver="$3" logfile="$4" pkg="linux-image-$3-dbg" mb vmlinux
  cp -L /etc/resolv.conf "$r/etc/resolv.conf"
  run_logged "$logfile" chroot "$r" apt-get -q update
  mb=$(chroot "$r" apt-cache show --no-all-versions "$pkg" | awk '/^Size:/ { printf "%d", $2 / 1e6; exit }')
  step "$suite" 4 "downloading debug info ($pkg, $mb MB)"
  mkdir "$r/tmp/dbg"
  run_logged "$logfile" chroot "$r" env -C /tmp/dbg apt-get -q -o APT::Sandbox::User=root download "$pkg"

  step "$suite" 5 "extracting vmlinux-$kver from the .deb"
  vmlinux="usr/lib/debug/boot/vmlinux-$kver"
  mkdir -p "$r/usr/lib/debug/boot"
  dpkg-deb --fsys-tarfile "$r/tmp/dbg/${pkg}_"*.deb | tar -x -O "./$vmlinux" > "$r/$vmlinux"
  [[ -s "$r/$vmlinux" ]] || die "no $vmlinux in $pkg"
  rm -rf "$r/tmp/dbg" "$r"/var/lib/apt/lists/*
  chroot "$r" apt-get -q clean
  printf 'nameserver 10.0.2.3\n' > "$r/etc/resolv.conf"
}

# Prints the upstream version of python3-drgn in ROOTFS (what drgn.__version__ says).
guest_drgn_version() {
  local v
  v=$(chroot "$1" dpkg-query -W -f '${Version}' python3-drgn)
  v="${v#*:}"
  printf '%s\n' "${v%-*}"
}

# Prints image.info (KEY=value) for the image built from ROOTFS.
write_image_info() {
  printf 'suite=%s\nkernel=%s\ndrgn=%s\nbuilt=%s\n' "$1" "$3" \
    "$(guest_drgn_version "$2")" "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
}

# Renames BUILD_TMP to <suite>-<kver>, replacing an older build of the same kernel if it is not running
# (checked under the image's lock, which lab up holds while it boots).
install_build() {
  local final="$LAB_CACHE_ROOT/$1-$2" old
  if [[ -d "$final" ]]; then
    lock_file "$final/lock"
    ! vm_pid "$final" > /dev/null || die "$final is in use by a running VM; run: lab down $1"
    old=$(mktemp -d "$LAB_CACHE_ROOT/.old-$1.XXXXXX")
    mv "$final" "$old/"
    mv "$BUILD_TMP" "$final"
    rm -rf "$old"
  else
    mv "$BUILD_TMP" "$final"
  fi
  BUILD_TMP=""
}

# Deletes DIR (a build dir or its rootfs). Unmounts anything still mounted below it first, and
# never crosses into another filesystem, so an interrupted chroot cannot take host files with it.
remove_build_dir() {
  local dir="$1" mnt
  [[ -n "$dir" && -e "$dir" ]] || return 0
  awk -v d="$dir/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
    while read -r mnt; do umount -l "$mnt"; done
  rm -rf --one-file-system "$dir"
}
