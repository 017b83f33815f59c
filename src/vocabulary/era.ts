// The words for a kernel's era (how it caches RSS) and for how rssdrift knows the era, the same
// in the report, the Markdown, the live view, the explanation and `rssdrift bound`.
import type { Era, HelloLine } from "../schema/helper-line.js";

/** What each era caches; the version ranges are those of mainline (backports blur them). */
export const ERA_MEANING: Record<Era, string> = {
  percpu: "per-CPU counters (v6.2+)",
  "split-rss": "per-thread caches (v2.6.34 to v6.1)",
  none: "no RSS cache",
  unknown: "unknown counter layout",
};

export type EraSource = HelloLine["era_source"];

/** How the era was found: from the kernel's own types (sure), or from its release string (a guess). */
export const ERA_FOUND: Record<EraSource, string> = {
  type: "detected from the kernel's types",
  version: "guessed from the kernel release",
};

/** "per-CPU counters (v6.2+), detected from the kernel's types": what follows "era percpu: " */
export function eraDescription(era: Era, source: EraSource): string {
  return `${ERA_MEANING[era]}, ${ERA_FOUND[source]}`;
}

/** "era percpu: per-CPU counters (v6.2+), guessed from the kernel release" */
export function eraLine(era: Era, source: EraSource): string {
  return `era ${era}: ${eraDescription(era, source)}`;
}

/** How `rssdrift bound` came to its era: a flag the user gave, or this machine's release. */
export type BoundEraFinding = { by: "--era" | "--cpus" | "--threads" } | { by: "release"; kernel: string };

/** "per-CPU counters (v6.2+), implied by --cpus" or "…, guessed from the kernel release 6.12.48-1; --era to choose" */
export function boundEraNote(era: Era, finding: BoundEraFinding): string {
  switch (finding.by) {
    case "--era":
      return `${ERA_MEANING[era]}, from --era`;
    case "--cpus":
    case "--threads":
      return `${ERA_MEANING[era]}, implied by ${finding.by}`;
    case "release":
      return `${ERA_MEANING[era]}, ${ERA_FOUND.version} ${finding.kernel}; --era to choose`;
  }
}
