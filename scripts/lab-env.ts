// The kernel lab (scripts/lab/lab) as Node code uses it: booting a suite and reading `lab env`.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/** scripts/lab/lab, from scripts/ (tests) or dist/scripts/ (compiled) */
export const LAB = fileURLToPath(new URL(import.meta.url.includes("/dist/") ? "../../scripts/lab/lab" : "./lab/lab", import.meta.url));

export type LabEnv = Record<string, string>;

/** Undoes common.sh's shq: 'it'\''s' → it's; bare words stand as they are. */
export function unquote(value: string): string {
  if (!value.startsWith("'")) return value;
  return value.slice(1, -1).replaceAll(`'\\''`, "'");
}

export function parseLabEnv(text: string): LabEnv {
  const env: LabEnv = {};
  for (const line of text.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) env[line.slice(0, eq)] = unquote(line.slice(eq + 1));
  }
  return env;
}

export function labEnv(suite: string): LabEnv {
  return parseLabEnv(execFileSync(LAB, ["env", suite], { encoding: "utf8" }));
}

/**
 * Boots SUITE unless it is up, and says whether this call booted it (so only that caller powers
 * it off). Always `lab up`, never LAB_RUNNING alone: that is 1 as soon as qemu runs, while a
 * boot someone else started may still wait for sshd; `lab up` waits for it, then says "already up".
 */
export function labUp(suite: string): { bootedHere: boolean } {
  const said = execFileSync(LAB, ["up", suite], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  process.stderr.write(said);
  return { bootedHere: !said.includes("already up") };
}
