// A guess from the release string, for when nobody can look at the kernel's types (procfs
// backend, `rssdrift bound`). Backports blur the line, so this is only ever labelled a guess.
import type { Era } from "../schema/helper-line.js";

/** v6.2 (f1a7941243c1) made mm->rss_stat per-CPU; earlier kernels cache per thread. */
export function eraFromRelease(release: string): Era {
  const match = /^(\d+)\.(\d+)/.exec(release);
  if (!match) return "unknown";
  const major = Number(match[1]);
  const minor = Number(match[2]);
  return major > 6 || (major === 6 && minor >= 2) ? "percpu" : "split-rss";
}
