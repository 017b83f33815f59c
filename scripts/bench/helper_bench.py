"""The helper's costs, measured where it runs (this machine or a lab guest), for scripts/bench/bpf-helper.ts.

    python3 helper_bench.py DIR startup BACKENDS RUNS   start-up to the first sample, backends (and a bare
                                                        `python3 -I -c pass`) taking turns
    python3 helper_bench.py DIR samples BACKEND N       read_us of N samples asked for one after another
    python3 helper_bench.py DIR cpu BACKEND HZ SECONDS  the helper's CPU time while sampling at HZ

DIR holds bootstrap.py and preamble.bin: the helper exactly as rssdrift starts it
(src/sources/helper-launch.ts). The target is an idle child process of this script. Prints one
JSON object. Standard library only.
"""

import json
import os
import statistics
import subprocess
import sys
import threading
import time

TICKS = os.sysconf("SC_CLK_TCK")


def start_helper(directory, pid, backend, *more):
    with open(os.path.join(directory, "bootstrap.py")) as f:
        bootstrap = f.read()
    with open(os.path.join(directory, "preamble.bin"), "rb") as f:
        preamble = f.read()
    helper = subprocess.Popen(["python3", "-I", "-c", bootstrap, "--pid", str(pid), "--backend", backend, *more],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
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
            else:
                helper = start_helper(directory, pid, backend, "--count", "1")
                next_sample(helper)
                wall = time.monotonic() - started
                helper.stdin.close()
                helper.wait()
            results[backend]["wall_s"].append(round(wall, 4))
            results[backend]["cpu_s"].append(round(children_cpu() - cpu_before, 4))
    return results


def samples(directory, pid, backend, count):
    """read_us of `count` samples asked for with the control channel, one after another."""
    helper = start_helper(directory, pid, backend, "--control", "--interval", "3600000")
    read_us = [next_sample(helper)["read_us"]]
    for _ in range(count):
        helper.stdin.write(b"sample\n")
        helper.stdin.flush()
        read_us.append(next_sample(helper)["read_us"])
    helper.stdin.close()
    helper.wait()
    read_us = read_us[1:]  # the first one includes the start-up
    return {"read_us": {"median": statistics.median(read_us), "p99": sorted(read_us)[int(len(read_us) * 0.99) - 1],
                        "min": min(read_us), "n": len(read_us)}}


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
    return {"hz": hz, "seconds": round(elapsed, 2), "samples": taken, "cpu_s": round(used, 3),
            "core_percent": round(100 * used / elapsed, 2)}


def main(directory, command, *args):
    target = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(3600)"])
    try:
        if command == "startup":
            result = startup(directory, target.pid, args[0].split(","), int(args[1]))
        elif command == "samples":
            result = samples(directory, target.pid, args[0], int(args[1]))
        else:
            result = cpu(directory, target.pid, args[0], float(args[1]), float(args[2]))
    finally:
        target.kill()
        target.wait()
    print(json.dumps({"kernel": os.uname().release, "cpus": os.cpu_count(), **result}))


if __name__ == "__main__":
    main(*sys.argv[1:])
