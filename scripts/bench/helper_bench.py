"""The helper's costs, measured where it runs (this machine or a lab guest), for scripts/bench/bpf-helper.ts.

    python3 helper_bench.py DIR [--target-mib M] startup BACKENDS RUNS   start-up to the first sample,
                                           backends (and a bare `python3 -I -c pass`) taking turns
    python3 helper_bench.py DIR [--target-mib M] samples BACKENDS N      the cost of one sample, N times
    python3 helper_bench.py DIR cpu BACKEND HZ SECONDS  the helper's CPU time while sampling at HZ

DIR holds bootstrap.py and preamble.bin: the helper exactly as rssdrift starts it
(src/sources/helper-launch.ts), and bare_drgn.py. BACKENDS, comma-separated: bpf and drgn (the
helper; a sample's cost is its read_us), drgn-bare (bare_drgn.py, no rssdrift), procfs (what the
procfs backend runs on the target: `sh` catting stat, statm, status and smaps_rollup twice, as
src/sources/procfs-source.ts does, without the SSH channel), smaps (one read of
/proc/PID/smaps_rollup in this process). The target is an idle child process of this script,
with M MiB of anonymous memory resident (4 KiB pages: transparent huge pages off for it). Prints
one JSON object. Standard library only.
"""

import json
import os
import statistics
import subprocess
import sys
import threading
import time

TICKS = os.sysconf("SC_CLK_TCK")


# the target: M MiB anonymous, every page resident (MADV_POPULATE_WRITE, 5.14+, else touched), then idle
TARGET = """
import mmap, sys, time
size = int(sys.argv[1]) << 20
if size:
    memory = mmap.mmap(-1, size)
    memory.madvise(mmap.MADV_NOHUGEPAGE)
    try:
        memory.madvise(getattr(mmap, "MADV_POPULATE_WRITE", 23))
    except OSError:
        for i in range(0, size, mmap.PAGESIZE):
            memory[i] = 1
print("ready", flush=True)
time.sleep(3600)
"""

# what procfs-source.ts runs per sample: two rounds of the four files, each followed by NUL and a status
READ_FILES_SCRIPT = 'for f do if cat -- "$f" 2>/dev/null; then printf "\\0ok\\0"; else printf "\\0missing\\0"; fi; done'
SAMPLE_FILES = ("stat", "statm", "status", "smaps_rollup")


def procfs_read(pid, rounds=2):
    paths = ["/proc/%d/%s" % (pid, name) for name in SAMPLE_FILES] * rounds
    subprocess.run(["sh", "-c", READ_FILES_SCRIPT, "sh", *paths], check=True, stdout=subprocess.DEVNULL)


def procfs_startup(pid):
    """The commands procfs-source.ts runs on the target before its first sample, without SSH."""
    subprocess.run(["getconf", "PAGESIZE"], check=True, stdout=subprocess.DEVNULL)
    hello = [
        "/proc/sys/kernel/osrelease",
        "/sys/devices/system/cpu/online",
        "/sys/devices/system/cpu/possible",
        "/proc/%d/stat" % pid,
        "/proc/%d/status" % pid,
    ]
    subprocess.run(["sh", "-c", READ_FILES_SCRIPT, "sh", *hello], check=True, stdout=subprocess.DEVNULL)
    procfs_read(pid)


def start_bare_drgn(directory, pid, count):
    return subprocess.Popen(
        ["python3", "-I", os.path.join(directory, "bare_drgn.py"), str(pid), str(count)], stdout=subprocess.PIPE
    )


def start_helper(directory, pid, backend, *more):
    with open(os.path.join(directory, "bootstrap.py")) as f:
        bootstrap = f.read()
    with open(os.path.join(directory, "preamble.bin"), "rb") as f:
        preamble = f.read()
    helper = subprocess.Popen(
        ["python3", "-I", "-c", bootstrap, "--pid", str(pid), "--backend", backend, *more],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    helper.stdin.write(preamble)
    helper.stdin.flush()
    return helper


def next_sample(helper):
    """The helper's next sample line; raises on an error line or its end."""
    while True:
        line = helper.stdout.readline()
        if not line:
            raise SystemExit("the helper ended: %s" % helper.wait())
        parsed = json.loads(line)
        if parsed["type"] == "sample":
            return parsed
        if parsed["type"] == "error":
            raise SystemExit("the helper failed: %s" % parsed)


def children_cpu():
    usage = os.times()
    return usage.children_user + usage.children_system


def startup(directory, pid, backends, runs):
    """Wall and CPU seconds from starting the helper to its first sample line, per backend, and of
    `python3 -I -c pass` as the floor ("python")."""
    results = {backend: {"wall_s": [], "cpu_s": []} for backend in ["python"] + backends}
    for _ in range(runs):
        for backend in results:  # in turn, so that a drifting machine speed hits all alike
            cpu_before, started = children_cpu(), time.monotonic()
            if backend == "python":
                subprocess.run(["python3", "-I", "-c", "pass"], check=True)
                wall = time.monotonic() - started
            elif backend == "procfs":
                procfs_startup(pid)
                wall = time.monotonic() - started
            elif backend == "drgn-bare":
                bare = start_bare_drgn(directory, pid, 0)
                bare.stdout.readline()
                wall = time.monotonic() - started
                bare.wait()
            else:
                helper = start_helper(directory, pid, backend, "--count", "1")
                next_sample(helper)
                wall = time.monotonic() - started
                helper.stdin.close()
                helper.wait()
            results[backend]["wall_s"].append(round(wall, 4))
            results[backend]["cpu_s"].append(round(children_cpu() - cpu_before, 4))
    return results


def summary(read_us):
    return {
        "median": statistics.median(read_us),
        "p99": sorted(read_us)[max(int(len(read_us) * 0.99) - 1, 0)],
        "min": min(read_us),
        "n": len(read_us),
    }


def helper_read_us(directory, pid, backend, count):
    """read_us of `count` samples asked for with the control channel, one after another."""
    helper = start_helper(directory, pid, backend, "--control", "--interval", "3600000")
    read_us = [next_sample(helper)["read_us"]]
    for _ in range(count):
        helper.stdin.write(b"sample\n")
        helper.stdin.flush()
        read_us.append(next_sample(helper)["read_us"])
    helper.stdin.close()
    helper.wait()
    return read_us[1:]  # the first one includes the start-up


def timed_us(action, count):
    times = []
    for _ in range(count):
        before = time.perf_counter()
        action()
        times.append(round((time.perf_counter() - before) * 1e6))
    return times


def read_smaps_rollup(pid):
    with open("/proc/%d/smaps_rollup" % pid, "rb") as f:
        f.read()


def samples(directory, pid, backends, count):
    """The cost of one sample, in microseconds, per backend (see the module's docstring)."""
    results = {}
    for backend in backends:
        if backend == "drgn-bare":
            bare = start_bare_drgn(directory, pid, count)
            bare.stdout.readline()
            read_us = json.loads(bare.stdout.readline())["read_us"]
            bare.wait()
        elif backend == "procfs":
            read_us = timed_us(lambda: procfs_read(pid), count)
        elif backend == "smaps":
            read_us = timed_us(lambda: read_smaps_rollup(pid), count)
        else:
            read_us = helper_read_us(directory, pid, backend, count)
        results[backend] = summary(read_us)
    return results


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime (fields 14, 15)


def cpu(directory, pid, backend, hz, seconds):
    """The helper's CPU share while sampling at `hz`, after a warm-up that leaves start-up out."""
    helper = start_helper(directory, pid, backend, "--control", "--interval", str(round(1000 / hz)))
    next_sample(helper)
    seen = []
    drain = threading.Thread(target=lambda: seen.extend(iter(helper.stdout.readline, b"")), daemon=True)
    drain.start()
    time.sleep(2)
    before, count_before, started = cpu_seconds(helper.pid), len(seen), time.monotonic()
    time.sleep(seconds)
    used, elapsed, taken = cpu_seconds(helper.pid) - before, time.monotonic() - started, len(seen) - count_before
    helper.stdin.close()
    helper.wait()
    return {
        "hz": hz,
        "seconds": round(elapsed, 2),
        "samples": taken,
        "cpu_s": round(used, 3),
        "core_percent": round(100 * used / elapsed, 2),
    }


def start_target(mib):
    target = subprocess.Popen([sys.executable, "-I", "-c", TARGET, str(mib)], stdout=subprocess.PIPE)
    if target.stdout.readline() != b"ready\n":
        raise SystemExit("the %d MiB target did not start: %s" % (mib, target.wait()))
    return target


def main(directory, *args):
    mib = 0
    if args[0] == "--target-mib":
        mib, args = int(args[1]), args[2:]
    command, args = args[0], args[1:]
    target = start_target(mib)
    try:
        if command == "startup":
            result = startup(directory, target.pid, args[0].split(","), int(args[1]))
        elif command == "samples":
            result = samples(directory, target.pid, args[0].split(","), int(args[1]))
        else:
            result = cpu(directory, target.pid, args[0], float(args[1]), float(args[2]))
        with open("/proc/%d/status" % target.pid) as f:
            rss_kb = int(next(line for line in f if line.startswith("VmRSS:")).split()[1])
    finally:
        target.kill()
        target.wait()
    print(json.dumps({"kernel": os.uname().release, "cpus": os.cpu_count(), "target_rss_kb": rss_kb, **result}))


if __name__ == "__main__":
    main(*sys.argv[1:])
