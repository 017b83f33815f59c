# VM life cycle for scripts/lab/lab: up, down, ssh, env, status, can-boot.
# shellcheck shell=bash
# Sourced by lab after common.sh and build.sh. Run state lives in <image dir>/run/ (pid, port, accel, cpus).

LAB_MEM="${RSSDRIFT_LAB_MEM:-2G}"
KVM_TRY_SECONDS=40
BOOT_TIMEOUT=300
MIN_FREE_GIB=6

# Prints the pid of the qemu running IMAGE_DIR's disk, if alive. The command line is checked too,
# so a recycled pid (or a zombie) never counts as a running VM.
vm_pid() {
  local dir="$1" pid
  pid=$(cat "$dir/run/pid" 2>/dev/null) || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  tr '\0' '\n' 2>/dev/null < "/proc/$pid/cmdline" | grep -qF -- "file=$(qemu_opt "$dir/disk.img")," || return 1
  printf '%s\n' "$pid"
}

run_value() { cat "$1/run/$2"; }

# Escapes a path for a qemu -drive/-nic option value (a comma is written as two).
qemu_opt() { printf '%s' "${1//,/,,}"; }

# Escapes a path for ssh_config, where % starts a token.
ssh_cfg_path() { printf '%s' "${1//%/%%}"; }

# True when something already listens on 127.0.0.1:PORT.
port_in_use() { (: <>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Writes known_hosts (the image's host key for [127.0.0.1]:PORT) and ssh_config into IMAGE_DIR.
# Each file is replaced by a rename, so a concurrent ssh never reads a half-written one.
write_ssh_files() {
  local dir="$1" suite="$2" port="$3" type key
  read -r type key _ < "$dir/ssh_host_ed25519_key.pub"
  printf '[127.0.0.1]:%s %s %s\n' "$port" "$type" "$key" > "$dir/.known_hosts.$$"
  mv "$dir/.known_hosts.$$" "$dir/known_hosts"
  cat > "$dir/.ssh_config.$$" <<EOF
Host $(ssh_alias "$suite")
  HostName 127.0.0.1
  Port $port
  User root
  IdentityFile "$(ssh_cfg_path "$dir/id_ed25519")"
  IdentitiesOnly yes
  UserKnownHostsFile "$(ssh_cfg_path "$dir/known_hosts")"
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  BatchMode yes
  ConnectTimeout 10
  LogLevel ERROR
EOF
  mv "$dir/.ssh_config.$$" "$dir/ssh_config"
}

# True when KVM is worth a first try.
kvm_usable() {
  [[ -r /dev/kvm && -w /dev/kvm ]] || return 1
  # kvm_pvm (a pagetable-based nested backend, as on the project's dev and CI machines) cannot run a
  # stock Debian kernel: it dies in KVM's instruction emulator (lab-recipe.md). Skip KVM at once there.
  [[ ! -d /sys/module/kvm_pvm ]]
}

# Starts qemu for IMAGE_DIR in its own session and records pid, accel, cpus and port in run/.
start_qemu() {
  local dir="$1" accel="$2" cpus="$3" port="$4" accel_args i
  # TCG needs -cx16: with CMPXCHG16B, SLUB's this_cpu_cmpxchg128 randomly double-faults under MTTCG.
  # shellcheck disable=SC2054 # the commas belong to qemu option values
  case "$accel" in
    kvm) accel_args=(-accel kvm -cpu host) ;;
    tcg) accel_args=(-accel tcg,thread=multi,tb-size=512 -cpu qemu64,-cx16) ;;
  esac
  rm -rf "$dir/run"
  mkdir "$dir/run"
  : > "$dir/console.log"
  # snapshot=on: guest writes go to a temporary overlay, so every boot starts from the pristine image.
  # restrict=on: the guest reaches nothing outside; only the SSH forward on loopback comes in.
  setsid qemu-system-x86_64 "${accel_args[@]}" -smp "$cpus" -m "$LAB_MEM" \
    -kernel "$dir/vmlinuz" -initrd "$dir/initrd.img" \
    -append "root=/dev/vda rw console=ttyS0 net.ifnames=0" \
    -drive "file=$(qemu_opt "$dir/disk.img"),if=virtio,format=raw,snapshot=on" \
    -nic "user,model=virtio-net-pci,restrict=on,hostfwd=tcp:127.0.0.1:$port-:22" \
    -display none -monitor none -serial "file:$dir/console.log" -pidfile "$dir/run/pid.qemu" \
    < /dev/null > "$dir/qemu.log" 2>&1 {LOCK_FD}>&- &
  disown # no "Aborted" job notice from bash if qemu dies; kill_qemu and vm_pid track it by pid
  # qemu writes its pidfile once set up; until then, or if it dies first, $! is what we have
  for ((i = 0; i < 50; i++)); do
    [[ -s "$dir/run/pid.qemu" ]] && break
    kill -0 "$!" 2>/dev/null || break
    sleep 0.2
  done
  if [[ -s "$dir/run/pid.qemu" ]]; then cp "$dir/run/pid.qemu" "$dir/run/pid"; else echo "$!" > "$dir/run/pid"; fi
  echo "$accel" > "$dir/run/accel"
  echo "$cpus" > "$dir/run/cpus"
  echo "$port" > "$dir/run/port"
}

# Waits up to TIMEOUT s until the guest of IMAGE_DIR answers SSH; on failure prints why.
wait_for_ssh() {
  local suite="$1" dir="$2" deadline=$((SECONDS + $3))
  while ((SECONDS < deadline)); do
    if ! vm_pid "$dir" > /dev/null; then
      echo "qemu exited: $(tail -n 3 "$dir/qemu.log" | tr '\n' ' ')"
      return 1
    fi
    # on a KVM internal error qemu does not exit, it pauses the guest
    if grep -q 'KVM internal error' "$dir/qemu.log"; then
      echo "KVM internal error"
      return 1
    fi
    if timeout 15 ssh -F "$dir/ssh_config" -o ConnectTimeout=5 "$(ssh_alias "$suite")" true 2> /dev/null; then
      return 0
    fi
    sleep 1
  done
  echo "no SSH after $3s"
  return 1
}

# Boots IMAGE_DIR with ACCEL and waits up to TIMEOUT s for SSH; on failure stops qemu and returns 1.
boot_with() {
  local suite="$1" dir="$2" accel="$3" cpus="$4" port="$5" timeout="$6" why
  start_qemu "$dir" "$accel" "$cpus" "$port"
  why=$(wait_for_ssh "$suite" "$dir" "$timeout") && return 0
  log "[$suite] $accel boot failed: $why (see $dir/qemu.log and $dir/console.log)"
  kill_qemu "$dir"
  return 1
}

# Waits up to SECONDS for the VM of IMAGE_DIR to be gone.
wait_gone() {
  local i
  for ((i = 0; i < $2 * 2; i++)); do
    vm_pid "$1" > /dev/null || return 0
    sleep 0.5
  done
  return 1
}

# Ends the qemu of IMAGE_DIR by pid: SIGTERM, then SIGKILL after 10 s; clears run/.
kill_qemu() {
  local dir="$1" pid
  if pid=$(vm_pid "$dir"); then
    kill "$pid" 2> /dev/null || true
    wait_gone "$dir" 10 || kill -KILL "$pid" 2> /dev/null || true
    wait_gone "$dir" 5 || die "qemu pid $pid does not exit"
  fi
  rm -rf "$dir/run"
}

# lab up SUITE [CPUS] [PORT]: builds on first use, boots, waits for SSH.
cmd_up() {
  local suite="$1" want_cpus="$2" want_port="$3" dir cpus port start accel
  dir=$(image_dir "$suite") || {
    build_image "$suite" 0
    dir=$(image_dir "$suite")
  }
  ensure_host_packages
  lock_file "$dir/lock"
  [[ -f "$dir/image.info" ]] || die "[$suite] the image was rebuilt while waiting; run lab up again"
  if vm_pid "$dir" > /dev/null; then
    cpus=$(run_value "$dir" cpus) port=$(run_value "$dir" port)
    [[ -z "$want_cpus" || "$want_cpus" == "$cpus" ]] ||
      die "[$suite] is already up with $cpus vCPUs, not $want_cpus; run: lab down $suite"
    [[ -z "$want_port" || "$want_port" == "$port" ]] ||
      die "[$suite] is already up on port $port, not $want_port; run: lab down $suite"
    printf 'lab: %s already up on 127.0.0.1:%s (%s vCPUs, %s, pid %s)\n' \
      "$suite" "$port" "$cpus" "$(run_value "$dir" accel)" "$(run_value "$dir" pid)"
    return 0
  fi
  cpus="${want_cpus:-$(default_cpus)}"
  port="${want_port:-$(default_port "$suite")}"
  ! port_in_use "$port" || die "127.0.0.1:$port is already in use; choose another with --port"
  write_ssh_files "$dir" "$suite" "$port"
  start=$SECONDS
  case "${RSSDRIFT_LAB_ACCEL:-auto}" in
    kvm | tcg)
      accel="$RSSDRIFT_LAB_ACCEL"
      boot_with "$suite" "$dir" "$accel" "$cpus" "$port" "$BOOT_TIMEOUT" || die "[$suite] did not boot with $accel"
      ;;
    auto)
      accel=tcg
      if kvm_usable; then
        log "[$suite] trying KVM first (up to ${KVM_TRY_SECONDS}s)"
        if boot_with "$suite" "$dir" kvm "$cpus" "$port" "$KVM_TRY_SECONDS"; then
          accel=kvm
        else
          log "[$suite] falling back to TCG"
        fi
      fi
      [[ "$accel" == kvm ]] || boot_with "$suite" "$dir" tcg "$cpus" "$port" "$BOOT_TIMEOUT" ||
        die "[$suite] did not boot"
      ;;
    *) die "RSSDRIFT_LAB_ACCEL must be auto, kvm or tcg" ;;
  esac
  printf 'lab: %s up on 127.0.0.1:%s (%s vCPUs, %s) after %ss\n' "$suite" "$port" "$cpus" "$accel" "$((SECONDS - start))"
  exec {LOCK_FD}>&-
}

# The vCPU count when none is given: RSSDRIFT_LAB_CPUS or 4.
default_cpus() { printf '%s\n' "${RSSDRIFT_LAB_CPUS:-4}"; }

# lab down SUITE: poweroff over SSH, then kill by pid if the guest has not stopped in 30 s.
cmd_down() {
  local suite="$1" dir start=$SECONDS how="powered off"
  dir=$(image_dir "$suite") || return 0
  lock_file "$dir/lock"
  if ! vm_pid "$dir" > /dev/null; then
    rm -rf "$dir/run"
    log "[$suite] not running"
  else
    timeout 15 ssh -F "$dir/ssh_config" "$(ssh_alias "$suite")" poweroff > /dev/null 2>&1 || true
    if ! wait_gone "$dir" 30; then
      how="killed"
      kill_qemu "$dir"
    fi
    rm -rf "$dir/run"
    printf 'lab: %s down (%s after %ss)\n' "$suite" "$how" "$((SECONDS - start))"
  fi
  exec {LOCK_FD}>&-
}

# lab ssh SUITE USER [CMD ARGS...]: OpenSSH into the guest with the lab's key and known_hosts.
cmd_ssh() {
  local suite="$1" user="$2" dir opts
  shift 2
  dir=$(image_dir "$suite") || die "[$suite] is not built; run: lab up $suite"
  vm_pid "$dir" > /dev/null || die "[$suite] is not running; run: lab up $suite"
  opts=(-F "$dir/ssh_config")
  [[ -z "$user" ]] || opts+=(-l "$user")
  if (($#)); then
    # ssh joins its arguments with spaces and the remote shell re-parses them: quote each one
    exec ssh "${opts[@]}" -- "$(ssh_alias "$suite")" "$(printf '%q ' "$@")"
  fi
  exec ssh "${opts[@]}" -- "$(ssh_alias "$suite")"
}

# Prints one KEY=value line, the value quoted for sh when needed.
emit() { printf '%s=%s\n' "$1" "$(shq "$2")"; }

# lab env SUITE: KEY=value lines for callers (the Node tests); (re)writes ssh_config and known_hosts.
cmd_env() {
  local suite="$1" dir running=0 port cpus accel=""
  dir=$(image_dir "$suite") || die "[$suite] is not built; run: lab build $suite"
  port=$(default_port "$suite") cpus=$(default_cpus)
  if vm_pid "$dir" > /dev/null; then
    running=1 port=$(run_value "$dir" port) cpus=$(run_value "$dir" cpus) accel=$(run_value "$dir" accel)
  fi
  write_ssh_files "$dir" "$suite" "$port"
  emit LAB_SUITE "$suite"
  emit LAB_HOST 127.0.0.1
  emit LAB_PORT "$port"
  emit LAB_USER root
  emit LAB_KEY "$dir/id_ed25519"
  emit LAB_KNOWN_HOSTS "$dir/known_hosts"
  emit LAB_SSH_CONFIG "$dir/ssh_config"
  emit LAB_SSH_HOST "$(ssh_alias "$suite")"
  emit LAB_KERNEL "$(image_info "$dir" kernel)"
  emit LAB_DRGN "$(image_info "$dir" drgn)"
  emit LAB_CPUS "$cpus"
  emit LAB_ACCEL "$accel"
  emit LAB_RUNNING "$running"
  emit LAB_IMAGE_DIR "$dir"
}

# lab status: each suite's image and VM.
cmd_status() {
  local suite dir
  for suite in "${LAB_SUITES[@]}"; do
    if ! dir=$(image_dir "$suite"); then
      printf '%-9s not built\n' "$suite:"
      continue
    fi
    printf '%-9s built: %s (%s on disk; kernel %s, drgn %s)\n' "$suite:" "$dir" \
      "$(du -sh "$dir" | cut -f1)" "$(image_info "$dir" kernel)" "$(image_info "$dir" drgn)"
    if vm_pid "$dir" > /dev/null; then
      printf '%-9s running: pid %s on 127.0.0.1:%s (%s vCPUs, %s)\n' "" "$(run_value "$dir" pid)" \
        "$(run_value "$dir" port)" "$(run_value "$dir" cpus)" "$(run_value "$dir" accel)"
    else
      printf '%-9s not running\n' ""
    fi
  done
}

# lab can-boot: exit 0 if this machine can build (when needed) and boot both images, else say why.
cmd_can_boot() {
  local problems=() to_build=() missing=() needs=() suite mirror free probe
  [[ "$(uname -m)" == x86_64 ]] || problems+=("the host is $(uname -m), the lab needs x86_64")
  command -v apt-get > /dev/null || problems+=("no apt-get: the lab needs a Debian-based host")
  for suite in "${LAB_SUITES[@]}"; do
    image_dir "$suite" > /dev/null || to_build+=("$suite")
  done
  mapfile -t missing < <(missing_host_packages)
  if ((${#to_build[@]} + ${#missing[@]} > 0)) && command -v apt-get > /dev/null; then
    ((${#missing[@]} == 0)) || needs+=("install ${missing[*]}")
    ((${#to_build[@]} == 0)) || needs+=("build ${to_build[*]}")
    [[ $EUID -eq 0 ]] || problems+=("not root, which it takes to ${needs[*]}")
    if ! mirror=$(debian_mirror); then
      problems+=("no Debian mirror in the host's apt configuration (apt-get update, or set RSSDRIFT_LAB_MIRROR)")
    else
      # probe the suites to build, or the host's own suite when only packages are missing
      for probe in "${to_build[@]:-$(. /etc/os-release && echo "$VERSION_CODENAME")}"; do
        mirror_serves "$mirror" "$probe" || problems+=("apt mirror unreachable or without $probe")
      done
    fi
  fi
  if ((${#to_build[@]} > 0)); then
    free=$(cache_free_gib)
    ((free >= MIN_FREE_GIB)) || problems+=("only ${free} GiB free for $LAB_CACHE_ROOT, need $MIN_FREE_GIB")
  fi
  if ((${#problems[@]} > 0)); then
    printf 'lab: cannot boot: %s\n' "${problems[@]}"
    return 1
  fi
  printf 'lab: can boot (images to build: %s; missing host packages: %s; accel: %s)\n' \
    "${to_build[*]:-none}" "${missing[*]:-none}" "$(kvm_usable && echo "kvm, tcg fallback" || echo tcg)"
}
