// Seeded mutations of real helper lines, for the fuzz tests: every run with the same seed makes
// the same lines, so a failure names its seed and index and reproduces.

/** mulberry32: a small, fast, seeded PRNG (uniform in [0, 1)) */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface Mutator {
  name: string;
  /** the mutated line's text (most mutate the value, some the text itself) */
  apply(value: Json, text: string, random: () => number): string;
}

const pick = <T>(items: readonly T[], random: () => number): T => items[Math.floor(random() * items.length)]!;

/** every [container, key] in a value, so a mutation can land anywhere, at any depth */
function slots(value: Json): [Json[] | { [key: string]: Json }, string | number][] {
  const found: [Json[] | { [key: string]: Json }, string | number][] = [];
  const walk = (node: Json) => {
    if (Array.isArray(node)) {
      node.forEach((child, index) => {
        found.push([node, index]);
        walk(child);
      });
    } else if (node !== null && typeof node === "object") {
      for (const key of Object.keys(node)) {
        found.push([node, key]);
        walk(node[key]!);
      }
    }
  };
  walk(value);
  return found;
}

function objects(value: Json): { [key: string]: Json }[] {
  const found: { [key: string]: Json }[] = [];
  const walk = (node: Json) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === "object") {
      found.push(node);
      for (const child of Object.values(node)) walk(child);
    }
  };
  walk(value);
  return found;
}

function set(value: Json, random: () => number, make: (old: Json) => Json): Json {
  const all = slots(value);
  if (all.length === 0) return make(value);
  const [container, key] = pick(all, random);
  (container as Record<string | number, Json>)[key] = make((container as Record<string | number, Json>)[key]!);
  return value;
}

const OTHER_TYPES: Json[] = [null, true, false, 0, -1, 1.5, "", "7", "x", [], {}, [1, 2], { a: 1 }];
const HUGE_NUMBERS = [
  "1e308",
  "-1e308",
  "1e999",
  "-1e999",
  "9007199254740993",
  "-0",
  "4294967296",
  "1.7976931348623157e308",
  "5e-324",
  "123456789012345678901234567890",
];

/** a number placeholder swapped in as raw text, so it reaches JSON.parse as written */
const RAW = "@@raw-number@@";

export const mutators: Mutator[] = [
  { name: "type changed", apply: (v, _t, r) => JSON.stringify(set(v, r, () => pick(OTHER_TYPES, r))) },
  {
    name: "huge number",
    apply: (v, _t, r) =>
      JSON.stringify(set(v, r, (old) => (typeof old === "number" || r() < 0.3 ? RAW : old))).replace(`"${RAW}"`, pick(HUGE_NUMBERS, r)),
  },
  {
    name: "deep nesting",
    apply: (v, _t, r) => {
      const depth = pick([100, 1000, 10_000, 100_000], r);
      return JSON.stringify(set(v, r, () => RAW)).replace(`"${RAW}"`, "[".repeat(depth) + "]".repeat(depth));
    },
  },
  {
    name: "missing key",
    apply: (v, _t, r) => {
      const withKeys = objects(v).filter((o) => Object.keys(o).length > 0);
      if (withKeys.length > 0) {
        const o = pick(withKeys, r);
        delete o[pick(Object.keys(o), r)];
      }
      return JSON.stringify(v);
    },
  },
  {
    name: "extra key",
    apply: (v, _t, r) => {
      const all = objects(v);
      if (all.length > 0) pick(all, r)[pick(["extra", "__proto__", "constructor", "toString", "type", ""], r)] = pick(OTHER_TYPES, r);
      return JSON.stringify(v);
    },
  },
  { name: "truncated", apply: (_v, t, r) => t.slice(0, Math.floor(r() * t.length)) },
  {
    name: "byte noise",
    apply: (_v, t, r) => {
      const at = Math.floor(r() * t.length);
      return t.slice(0, at) + pick(["\u0000", "\u001b[2J", "\ud800", '"', "\\", "}", ",", "\u2028", "\ufffd"], r) + t.slice(at + 1);
    },
  },
  { name: "not an object", apply: (_v, _t, r) => JSON.stringify(pick<Json>([null, 1, "hello", [], [{ type: "sample" }], true], r)) },
  {
    name: "negative or fractional count",
    apply: (v, _t, r) => JSON.stringify(set(v, r, (old) => (typeof old === "number" ? pick([-old - 1, old + 0.5, -(2 ** 31)], r) : old))),
  },
];

/** a hello and a sample with `cpus` online CPUs and a residue on each (hundreds of thousands) */
export function manyCpus(hello: { [key: string]: Json }, sample: { [key: string]: Json }, cpus: number): [string, string] {
  const online = Array.from({ length: cpus }, (_, cpu) => cpu);
  const wideHello = { ...hello, cpus: { online, possible: online } };
  const counters = sample.counters as { [key: string]: { [key: string]: Json } };
  const wideCounters = Object.fromEntries(
    Object.entries(counters).map(([name, counter]) => [
      name,
      { ...counter, residue: online.map((slot) => ({ slot, pages: (slot % 3) - 1 })) },
    ]),
  );
  return [JSON.stringify(wideHello), JSON.stringify({ ...sample, counters: wideCounters })];
}
