// Which Python runs on the target, and how every Python we start is started: isolated (`-I`).
// Root runs these in a directory we do not control (the caller's, or the SSH user's home), so
// without -I a json.py, drgn.py or sitecustomize.py there, or PYTHONPATH, PYTHONSTARTUP, PYTHONHOME
// and the user's site-packages would run as root. -I (Python ≥ 3.4) drops the current and the
// script's directory from sys.path, ignores every PYTHON* variable and the user site-packages,
// and keeps the system site-packages, where distributions install drgn.

/** The interpreter when neither --python nor RSSDRIFT_PYTHON names one: the first on the PATH. */
export const DEFAULT_PYTHON = "python3";

/** argv that runs `python` isolated with `args` (e.g. ["-c", CODE, ...], ["-m", "drgn", ...]). */
export function isolatedPython(python: string, args: readonly string[]): string[] {
  return [python, "-I", ...args];
}

/**
 * An absolute path or a bare command name, made of characters no shell treats specially (it is
 * quoted anyway, as one argv word; this keeps a typo or a pasted command line from reaching the
 * target as something else). Returns undefined when `text` is not one.
 */
export function checkPythonCommand(text: string): string | undefined {
  return /^(\/[A-Za-z0-9._+/-]+|[A-Za-z0-9._+][A-Za-z0-9._+-]*)$/.test(text) ? text : undefined;
}
