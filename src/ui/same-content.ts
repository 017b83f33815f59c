// Whether two props objects would draw the same: the live view's sections and lines are pure
// functions of plain data (numbers, strings, arrays, plain objects) and the theme, and most of
// that data is rebuilt for every sample although only a few lines change (a handful of the 24
// or 40). With this as React.memo's comparison, a part whose data did not change is skipped: no
// render, no reconciliation, no host-node updates (docs/BENCHMARKS.md, the live view).
// Anything else (a Date, a Map, a function) is equal only to itself.

/** deep equality of plain data; other objects by identity */
export function sameContent(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) return Array.isArray(b) && sameItems(a, b);
  if (Array.isArray(b) || !isPlain(a) || !isPlain(b)) return false;
  return sameFields(a as Record<string, unknown>, b as Record<string, unknown>);
}

function isPlain(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function sameItems(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameContent(a[i], b[i])) return false;
  return true;
}

function sameFields(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) if (!Object.hasOwn(b, key) || !sameContent(a[key], b[key])) return false;
  return true;
}
