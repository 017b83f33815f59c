// `npm run lab`: boots the trixie lab VM (building it on first use), starts drift-target inside,
// and runs `rssdrift watch` on it over SSH (the one-shot report when stdout is not a terminal).
// A newcomer sees the real kernel's counters with no root on any server.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { LAB, labEnv, labUp } from "./lab-env.js";

const SUITE = process.env.RSSDRIFT_LAB_SUITE ?? "trixie";
const cli = fileURLToPath(new URL("../cli/rssdrift.js", import.meta.url));
const driftTarget = fileURLToPath(new URL("../../scripts/drift-target", import.meta.url));

const say = (line: string) => process.stderr.write(`rssdrift lab: ${line}\n`);

function lab(args: string[], input?: Buffer): number {
  return spawnSync(LAB, args, { stdio: [input ? "pipe" : "inherit", "inherit", "inherit"], input }).status ?? 1;
}

/** Starts drift-target in the guest; its stdin is this ssh, so it ends when we do. */
async function startTarget(): Promise<{ pid: number; cpus: number[]; ssh: ChildProcess }> {
  const copied = lab(["ssh", SUITE, "--", "sh", "-c", "cat > /tmp/drift-target"], readFileSync(driftTarget));
  if (copied !== 0) throw new Error("could not copy drift-target into the VM");
  const ssh = spawn(LAB, ["ssh", SUITE, "--", "python3", "-I", "/tmp/drift-target", "--pages", "150"], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  for await (const line of createInterface({ input: ssh.stdout! })) {
    const ready = JSON.parse(line) as { pid: number; cpus: number[] };
    return { pid: ready.pid, cpus: ready.cpus, ssh };
  }
  throw new Error("drift-target ended before it was ready");
}

async function main(): Promise<number> {
  say(`starting the ${SUITE} VM unless it is up (the first run builds it: about a minute)…`);
  const { bootedHere } = labUp(SUITE);
  const env = labEnv(SUITE);
  try {
    const target = await startTarget();
    say(`drift-target (pid ${target.pid} in the VM) touched 150 pages on each of CPUs ${target.cpus.join(",")} and waits`);
    const interactive = process.stdout.isTTY && process.stdin.isTTY;
    const args = interactive ? ["watch", String(target.pid)] : [String(target.pid), "--smaps"];
    args.push("--host", env.LAB_SSH_HOST!, "-F", env.LAB_SSH_CONFIG!);
    say(`rssdrift ${args.join(" ")}`);
    const status = spawnSync(process.execPath, [cli, ...args], { stdio: "inherit" }).status ?? 1;
    target.ssh.kill("SIGTERM");
    return status;
  } finally {
    if (bootedHere && process.env.RSSDRIFT_LAB_KEEP !== "1") {
      say(`stopping the VM (RSSDRIFT_LAB_KEEP=1 keeps it up; scripts/lab/lab down stops it)`);
      lab(["down", SUITE]);
    }
  }
}

try {
  process.exitCode = await main();
} catch (err) {
  say(err instanceof Error ? err.message.split("\n")[0]! : String(err));
  process.exitCode = 1;
}
