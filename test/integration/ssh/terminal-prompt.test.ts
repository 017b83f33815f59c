// The default secret prompt on a real terminal: python3's pty module gives a child node process
// a controlling terminal; the test types into it and reads everything the terminal shows.
// It imports the built module (dist/), which `npm test` builds first.
import { execFileSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeDir, tempDir } from "./ssh-test-server.js";

const built = fileURLToPath(new URL("../../../dist/src/transports/ssh-prompt.js", import.meta.url));
let dir: string;

/** Runs a prompt in a pty, typing `keys` once the question shows; returns all the terminal showed. */
function onTerminal(keys: string): string {
  const script = join(dir, "ask.mjs");
  writeFileSync(
    script,
    [
      `import { terminalPrompt } from ${JSON.stringify(built)};`,
      "terminalPrompt('Secret? ').then(",
      "  (answer) => console.log('ANSWER ' + Buffer.from(answer).toString('hex')),",
      "  (error) => console.log('REFUSED ' + error.name + ' ' + error.exitCode),",
      ");",
    ].join("\n"),
  );
  const driver = [
    "import os, pty, sys",
    "pid, fd = pty.fork()",
    "if pid == 0:",
    "    os.execv(sys.argv[1], [sys.argv[1], sys.argv[2]])",
    "seen = b''",
    "while b'Secret? ' not in seen:",
    "    seen += os.read(fd, 1024)",
    "os.write(fd, sys.argv[3].encode())",
    "while True:",
    "    try:",
    "        chunk = os.read(fd, 1024)",
    "    except OSError:",
    "        break",
    "    if not chunk:",
    "        break",
    "    seen += chunk",
    "os.waitpid(pid, 0)",
    "sys.stdout.write(seen.decode())",
  ].join("\n");
  return execFileSync("python3", ["-c", driver, process.execPath, script, keys], { encoding: "utf8", timeout: 20_000 });
}

const hex = (text: string) => Buffer.from(text).toString("hex");

beforeAll(() => {
  dir = tempDir("ssh-prompt");
});
afterAll(() => removeDir(dir));

describe.skipIf(!existsSync(built))("terminalPrompt on a real terminal", () => {
  it("reads the answer without echoing it, honouring backspace", () => {
    const shown = onTerminal("s3crex\u007ft\r");
    expect(shown).toContain("Secret? ");
    expect(shown).toContain(`ANSWER ${hex("s3cret")}`);
    expect(shown).not.toContain("s3cre");
  });

  it("Ctrl-U starts over", () => {
    expect(onTerminal("wrong\u0015right\r")).toContain(`ANSWER ${hex("right")}`);
  });

  it("Ctrl-C refuses with the interrupted exit code", () => {
    expect(onTerminal("abc\u0003")).toContain("REFUSED RssdriftError 130");
  });

  it("without a controlling terminal it says there is none", () => {
    const script = join(dir, "no-tty.mjs");
    writeFileSync(
      script,
      `import { terminalPrompt } from ${JSON.stringify(built)};\n` +
        "terminalPrompt('Secret? ').then(() => console.log('ANSWERED'), (error) => console.log('REFUSED ' + error.name));\n",
    );
    // setsid: a new session with no controlling terminal, like cron or CI
    expect(execFileSync("setsid", ["-w", process.execPath, script], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })).toBe(
      "REFUSED NoTerminalError\n",
    );
  });
});
