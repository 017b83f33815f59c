// Runs scripts/bench/helper_bench.py where the helper runs: on this machine, or in a lab guest
// over `lab ssh` (the driver and the helper, as rssdrift sends it, copied in first). Shared by
// bpf-helper.ts and backends.ts. DIR (here or in the guest) holds the helper's bootstrap and
// bundle, and bare_drgn.py.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { LAB } from "../lab-env.js";
import { BOOTSTRAP, helperPreamble } from "../../src/sources/helper-launch.js";

const BENCH_DIR = fileURLToPath(new URL(import.meta.url.includes("/dist/") ? "../../../scripts/bench/" : "./", import.meta.url));
const DRIVER = join(BENCH_DIR, "helper_bench.py");
const GUEST_DIR = "/tmp/rssdrift-bench";

export type Result = Record<string, unknown> & { kernel: string };

/** Runs the driver here or in a lab guest -> its JSON result. */
export function drive(where: string | null, args: string[], dir: string): Result {
  const argv = ["python3", where ? `${GUEST_DIR}/helper_bench.py` : DRIVER, dir, ...args];
  const out = where
    ? execFileSync(LAB, ["ssh", where, "--", ...argv], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 64 << 20 })
    : execFileSync(argv[0]!, argv.slice(1), { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 64 << 20 });
  return JSON.parse(out) as Result;
}

/** bootstrap.py and preamble.bin, the helper as rssdrift sends it, in a directory here or in the guest. */
export function stage(where: string | null): string {
  const files = {
    "bootstrap.py": Buffer.from(BOOTSTRAP),
    "preamble.bin": helperPreamble(),
    "bare_drgn.py": readFileSync(join(BENCH_DIR, "bare_drgn.py")),
  };
  if (!where) {
    const dir = mkdtempSync(join(tmpdir(), "rssdrift-bench-"));
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    return dir;
  }
  const put = (name: string, content: Buffer) =>
    execFileSync(LAB, ["ssh", where, "--", "sh", "-c", 'mkdir -p "$1" && cat > "$1/$2"', "sh", GUEST_DIR, name], { input: content });
  for (const [name, content] of Object.entries(files)) put(name, content);
  put("helper_bench.py", readFileSync(DRIVER));
  return GUEST_DIR;
}

export function unstage(where: string | null, dir: string): void {
  if (where) execFileSync(LAB, ["ssh", where, "--", "rm", "-rf", GUEST_DIR]);
  else rmSync(dir, { recursive: true, force: true });
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
export const spread = (xs: number[]) => `${median(xs).toFixed(3)} (${Math.min(...xs).toFixed(3)}–${Math.max(...xs).toFixed(3)})`;
