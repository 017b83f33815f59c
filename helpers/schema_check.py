"""Validates helper lines against the real schema (rssdrift_helper/protocol.json), through the
compiled validator that the TypeScript side uses (dist/src/schema/validate-line.js), so the
Python tests and the lab runs check the exact contract. `npm test` builds dist first.

    python3 helpers/schema_check.py LINES.jsonl     (prints each bad line's error; exit 1 if any)
"""

import os
import shutil
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VALIDATOR = os.path.join(REPO, "dist", "src", "schema", "validate-line.js")

# Reads lines on stdin, prints one message per invalid line, exits 1 if there was one.
_NODE_CHECK = """
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
const { parseProtocolLine } = await import(pathToFileURL(process.argv[1]).href);
let bad = 0;
for (const line of readFileSync(0, "utf8").split("\\n").filter((l) => l.trim() !== "")) {
  try { parseProtocolLine(line); } catch (e) { bad++; console.log(e.message); }
}
process.exit(bad ? 1 : 0);
"""


def validator_missing():
    """Why lines cannot be validated here, or None when they can."""
    if shutil.which("node") is None:
        return "node is not installed"
    if not os.path.exists(VALIDATOR):
        return "%s is missing: run `npx tsc -p tsconfig.json` first" % os.path.relpath(VALIDATOR, REPO)
    return None


def schema_errors(lines):
    """The validator's message for each line that is not a valid helper line ([] if all are)."""
    result = subprocess.run(
        ["node", "--input-type=module", "-e", _NODE_CHECK, VALIDATOR],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode not in (0, 1) or result.stderr:
        raise RuntimeError("the schema check failed to run: %s" % result.stderr.strip())
    return result.stdout.splitlines()


if __name__ == "__main__":
    problem = validator_missing()
    if problem:
        sys.exit("schema_check: " + problem)
    with open(sys.argv[1]) as f:
        errors = schema_errors(f.read().splitlines())
    print("\n".join(errors) if errors else "all lines valid")
    sys.exit(1 if errors else 0)
