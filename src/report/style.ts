// Terminal colours for the one-shot renderers, or none at all (as src/output/output-policy.ts
// decides): with color false every function returns its text unchanged, so no escape code can leak.
export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  /** the cached (stale) side */
  yellow(text: string): string;
  /** the exact side */
  green(text: string): string;
  /** a drift that a reader shows */
  red(text: string): string;
}

const sgr = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;

const plain = (text: string) => text;

export function makeStyle(color: boolean): Style {
  if (!color) return { bold: plain, dim: plain, yellow: plain, green: plain, red: plain };
  return { bold: sgr(1, 22), dim: sgr(2, 22), yellow: sgr(33, 39), green: sgr(32, 39), red: sgr(31, 39) };
}
