// The vocabulary keeps its words as clauses; these make a clause the start of a sentence, or a
// sentence of its own, wherever a renderer needs one.

/** "each thread …" → "Each thread …" */
export function capitalised(clause: string): string {
  return `${clause[0]!.toUpperCase()}${clause.slice(1)}`;
}

/** "each thread …" → "Each thread ….": a clause as a sentence of its own */
export function asSentence(clause: string): string {
  return `${capitalised(clause)}.`;
}

/** ["a", "b", "c"] → "a, b and c" */
export function joinList(items: readonly string[]): string {
  return items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}
