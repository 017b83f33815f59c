// drgn versions, as `drgn.__version__` prints them ("0.0.31", "0.0.22+unknown",
// "0.0.27.dev45+g1a2b3c4") and as `python3 -m drgn --version` prints its banner
// ("drgn 0.0.31 (using Python 3.13.2, elfutils 0.192, with debuginfod (dlopen), with libkdumpfile)").

export interface DrgnVersion {
  /** the text as drgn printed it */
  text: string;
  /** the leading numeric release, e.g. [0, 0, 31] */
  release: number[];
}

export function parseDrgnVersion(text: string): DrgnVersion | null {
  const trimmed = text.trim().split("\n").at(-1)?.trim() ?? "";
  const match = /^(\d+(?:\.\d+)*)/.exec(trimmed);
  if (!match) return null;
  return { text: trimmed, release: match[1]!.split(".").map(Number) };
}

/** Negative when a < b, zero when equal, positive when a > b (missing parts count as 0). */
export function compareRelease(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

export function atLeast(version: DrgnVersion, release: readonly number[]): boolean {
  return compareRelease(version.release, release) >= 0;
}

/**
 * Whether the banner says drgn was built with debuginfod: true ("with debuginfod"), false
 * ("without debuginfod"), or null when it does not say (drgn < 0.0.31 never does).
 */
export function bannerDebuginfod(banner: string): boolean | null {
  if (/\bwithout debuginfod\b/.test(banner)) return false;
  if (/\bwith debuginfod\b/.test(banner)) return true;
  return null;
}
