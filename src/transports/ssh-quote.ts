// An exec channel carries one string that the remote user's login shell parses (sshd runs
// `$SHELL -c STRING`), so every argv element is quoted as exactly one shell word before it leaves
// this machine, in a form that sh, bash, csh and tcsh all read the same way.

/**
 * One argument as a single-quoted POSIX shell word. Inside single quotes nothing is special
 * except the single quote itself, which is written as '\'' (close, escaped quote, reopen).
 * Newlines, $, backslashes and spaces survive unchanged in sh and bash; see shellCommandLine for
 * what csh and tcsh cannot take.
 */
export function quoteShellWord(word: string): string {
  if (word.includes("\0")) throw new Error("an argument cannot contain a NUL byte");
  return `'${word.replaceAll("'", "'\\''")}'`;
}

/**
 * csh and tcsh (even run with -c) cannot quote a newline, expand `!` (history) inside single
 * quotes, and refuse a word longer than about 8 KiB (bsd-csh: "Word too long"). Every other
 * character survives their single quotes unchanged (checked for U+0001 to U+07FF and beyond).
 */
const CSH_UNQUOTABLE = /[\n!]/;
const CSH_SAFE_WORD_LENGTH = 4096;

/** Characters that mean nothing to csh's single quotes, sh's double quotes and printf's format. */
const PLAIN_BYTE = /^[A-Za-z0-9 _./,:=+@-]$/;
/** printf escapes are never split across two words, and each word stays far below csh's limit */
const CHUNK_LENGTH = 1024;

/**
 * The POSIX command line `line`, wrapped so that any login shell runs it as /bin/sh would:
 *   exec /bin/sh -c 'IFS=;eval "$(printf "$*")"' sh 'chunk' 'chunk' …
 * The chunks hold the line's UTF-8 bytes, plain characters as themselves and every other byte as a
 * printf octal escape (\ooo): no quote, newline, `!`, `$` or backslash-letter is left for any shell
 * to interpret. sh joins them ("$*" with an empty IFS), printf turns the escapes back into bytes,
 * and eval runs the line with exec, so the command replaces both shells (signals reach it).
 */
function viaPosixShell(line: string): string {
  const chunks: string[] = [""];
  for (const byte of Buffer.from(`exec ${line}`, "utf8")) {
    const char = String.fromCharCode(byte);
    const piece = PLAIN_BYTE.test(char) ? char : `\\${byte.toString(8).padStart(3, "0")}`;
    if (chunks.at(-1)!.length + piece.length > CHUNK_LENGTH) chunks.push("");
    chunks[chunks.length - 1] += piece;
  }
  return `exec /bin/sh -c 'IFS=;eval "$(printf "$*")"' sh ${chunks.map((chunk) => `'${chunk}'`).join(" ")}`;
}

/**
 * The command line for argv: every element quoted, joined by spaces. When a word is one csh or
 * tcsh cannot take (a newline, a `!`, a very long word), the line goes through /bin/sh instead.
 */
export function shellCommandLine(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error("cannot run an empty command");
  const words = argv.map(quoteShellWord);
  const cshSafe = words.every((word) => !CSH_UNQUOTABLE.test(word) && word.length <= CSH_SAFE_WORD_LENGTH);
  return cshSafe ? words.join(" ") : viaPosixShell(words.join(" "));
}
