// An exec channel carries one string that the remote user's login shell parses, so every argv
// element is quoted as exactly one POSIX shell word before it leaves this machine.

/**
 * One argument as a single-quoted POSIX shell word. Inside single quotes nothing is special
 * except the single quote itself, which is written as '\'' (close, escaped quote, reopen).
 * Newlines, $, backslashes and spaces survive unchanged.
 */
export function quoteShellWord(word: string): string {
  if (word.includes("\0")) throw new Error("an argument cannot contain a NUL byte");
  return "'" + word.replaceAll("'", "'\\''") + "'";
}

/** The command line for argv: every element quoted, joined by spaces. */
export function shellCommandLine(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error("cannot run an empty command");
  return argv.map(quoteShellWord).join(" ");
}
