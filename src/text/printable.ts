// Strings that come from a target or a file (a process name, a kernel release, a helper's or a
// remote shell's message, a recording) may hold anything a terminal acts on: ESC sequences that
// set the title or rewrite the screen, BEL, a carriage return or newline that forges a line, bidi
// overrides that reorder what is shown. Renderers pass such strings through printable() once,
// where they turn data into display text; the data itself (and so --json and recordings) keeps
// the exact characters, written by printableJson() as \u escapes where JSON.stringify would leave
// them raw. Imports nothing, so every layer may use it. See docs/SECURITY.md.

/**
 * What is escaped: controls (C0, DEL, C1), format characters (bidi embeddings, overrides and
 * isolates, zero-width characters, soft hyphen, BOM, tags), line and paragraph separators, lone
 * surrogates; and the backslash, so that every escape shown stands for exactly one character.
 */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\\]/gu;

const NAMED: Record<string, string> = { "\\": "\\\\", "\u001b": "\\e", "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function escapeOne(char: string): string {
  const named = NAMED[char];
  if (named !== undefined) return named;
  const code = char.codePointAt(0)!;
  const hex = code.toString(16);
  if (code < 0x100) return `\\x${hex.padStart(2, "0")}`;
  if (code < 0x10000) return `\\u${hex.padStart(4, "0")}`;
  return `\\u{${hex}}`;
}

/** `text` with every character a terminal could act on shown as a visible escape: ESC → `\e`, BEL → `\x07`, U+202E → `\u202e`. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, escapeOne);
}

/**
 * The same data with every string in it made printable, for a renderer that shows it all
 * (plain objects and arrays are walked; keys are ours and stay). Parts without a change are
 * shared, not copied, so the exact data stays untouched for --json and snapshots.
 */
export function printableStrings<T>(value: T): T {
  return walk(value) as T;
}

function walk(value: unknown): unknown {
  if (typeof value === "string") return printable(value);
  if (Array.isArray(value)) {
    const mapped = value.map(walk);
    return mapped.some((item, i) => item !== value[i]) ? mapped : value;
  }
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    let copy: Record<string, unknown> | null = null;
    for (const [key, item] of Object.entries(value)) {
      const shown = walk(item);
      if (shown !== item) {
        copy ??= { ...value };
        copy[key] = shown;
      }
    }
    return copy ?? value;
  }
  return value;
}

/**
 * JSON.stringify escapes C0 controls, but leaves DEL, C1 controls, bidi overrides and the other
 * format characters raw. Inside JSON they can only sit in strings, where a \u escape stands for
 * the same character: the value stays exact and the text is safe on a terminal.
 */
const RAW_IN_JSON = /[\u007f-\u009f\p{Cf}\p{Zl}\p{Zp}]/gu; // C0 is escaped already (and "\n" indents)

/** JSON.stringify(value, null, indent), with every character a terminal acts on written as a \u escape. */
export function printableJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(RAW_IN_JSON, (char) =>
    [...Array(char.length).keys()].map((i) => `\\u${char.charCodeAt(i).toString(16).padStart(4, "0")}`).join(""),
  );
}
