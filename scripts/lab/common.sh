# Shared helpers for scripts/lab/lab: logging, suites, cache paths, host packages, the mirror.
# shellcheck shell=bash
# Sourced by lab; expects `set -euo pipefail`.

LAB_CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/rssdrift/lab"
LAB_SUITES=(trixie bookworm)

log() { printf 'lab: %s\n' "$*" >&2; }
die() { printf 'lab: error: %s\n' "$*" >&2; exit 1; }

# Exits unless $1 is a suite the lab knows.
check_suite() {
  case "$1" in
    trixie | bookworm) ;;
    *) die "unknown suite '$1' (expected trixie or bookworm)" ;;
  esac
}

# Prints the suites it names, one per line.
expand_suites() {
  if [[ "$1" == all ]]; then
    printf '%s\n' "${LAB_SUITES[@]}"
  else
    printf '%s\n' "$1"
  fi
}

default_port() {
  case "$1" in
    trixie) echo 2222 ;;
    bookworm) echo 2223 ;;
  esac
}

ssh_alias() { printf 'rssdrift-lab-%s\n' "$1"; }

# Prints the built image dir of SUITE (the newest <suite>-<kver>/ holding image.info), or fails.
# A build renames its dir into place only when complete, so image.info marks a usable image.
image_dir() {
  local info newest
  newest=$(for info in "$LAB_CACHE_ROOT/$1-"*/image.info; do
    [[ -f "$info" ]] && printf '%s\n' "${info%/image.info}"
  done | sort -V | tail -n 1)
  [[ -n "$newest" ]] && printf '%s\n' "$newest"
}

# Prints the value of KEY from an image's image.info (KEY=value lines, never sourced).
image_info() {
  awk -F= -v k="$2" '$1 == k { sub(/^[^=]*=/, ""); print; exit }' "$1/image.info"
}

# Quotes $1 for POSIX sh only when needed, so simple values stay easy to parse.
shq() {
  if [[ "$1" =~ ^[A-Za-z0-9_./:@+=,-]*$ ]]; then
    printf '%s' "$1"
  else
    printf "'%s'" "${1//\'/\'\\\'\'}"
  fi
}

# Runs a command with its output appended to LOG; on failure shows the log's tail.
run_logged() {
  local logfile="$1"
  shift
  if ! "$@" >> "$logfile" 2>&1; then
    tail -n 30 "$logfile" >&2
    die "failed: $1 (full log: $logfile)"
  fi
}

# Takes an exclusive lock on FILE for the rest of this process; sets LOCK_FD.
lock_file() {
  exec {LOCK_FD}>"$1"
  if ! flock -n "$LOCK_FD"; then
    log "waiting for another lab command holding $1"
    flock "$LOCK_FD"
  fi
}

# Host tools the lab uses, as command:package.
HOST_TOOLS=(qemu-system-x86_64:qemu-system-x86 mmdebstrap:mmdebstrap mke2fs:e2fsprogs
  ssh:openssh-client ssh-keygen:openssh-client)

# Prints the Debian packages providing host tools that are missing, one per line.
missing_host_packages() {
  local pair
  for pair in "${HOST_TOOLS[@]}"; do
    command -v "${pair%%:*}" >/dev/null || printf '%s\n' "${pair#*:}"
  done | sort -u
}

# Installs missing host tools with apt (refreshing the lists first, since stale lists 404).
ensure_host_packages() {
  local missing
  mapfile -t missing < <(missing_host_packages)
  ((${#missing[@]} == 0)) && return 0
  [[ $EUID -eq 0 ]] || die "missing host packages (${missing[*]}); install them as root"
  log "installing host packages: ${missing[*]}"
  mkdir -p "$LAB_CACHE_ROOT"
  run_logged "$LAB_CACHE_ROOT/host-apt.log" apt-get -q update
  DEBIAN_FRONTEND=noninteractive run_logged "$LAB_CACHE_ROOT/host-apt.log" \
    apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# Prints the Debian mirror the host's apt already uses: the first Debian "main" deb source.
# It is read at run time and never written to a file; RSSDRIFT_LAB_MIRROR overrides it.
debian_mirror() {
  local uri
  if [[ -n "${RSSDRIFT_LAB_MIRROR:-}" ]]; then
    printf '%s\n' "$RSSDRIFT_LAB_MIRROR"
    return
  fi
  uri=$(apt-get indextargets --release-info \
    --format '$(ORIGIN) $(LABEL) $(COMPONENT) $(TARGET_OF) $(REPO_URI)' |
    awk '$1 == "Debian" && $2 == "Debian" && $3 == "main" && $4 == "deb" { print $5; exit }')
  [[ -n "$uri" ]] || return 1
  printf '%s\n' "$uri"
}

# True when the mirror serves SUITE (fetches its InRelease through apt's own transport).
mirror_serves() {
  local tmp ok=1
  tmp=$(mktemp)
  if timeout 60 /usr/lib/apt/apt-helper -o APT::Sandbox::User=root \
    download-file "${1%/}/dists/$2/InRelease" "$tmp" >/dev/null 2>&1; then
    ok=0
  fi
  rm -f "$tmp"
  return "$ok"
}

# Prints free space in GiB on the filesystem that holds (or will hold) the cache.
cache_free_gib() {
  local d="$LAB_CACHE_ROOT"
  while [[ ! -d "$d" ]]; do d=$(dirname "$d"); done
  df -Pk "$d" | awk 'NR == 2 { printf "%d\n", $4 / 1048576 }'
}
