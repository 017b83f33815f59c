// Asking for a secret (a key passphrase, a sudo password) the way OpenSSH does: on the
// controlling terminal (/dev/tty, so it works with stdin piped), without echo, never logged.
import { closeSync, openSync, writeSync } from "node:fs";
import { ReadStream } from "node:tty";
import { EXIT, RssdriftError } from "../errors.js";
import { printable } from "../text/printable.js";

/** Asks one question and resolves with the answer (without the newline). */
export type SecretPrompt = (question: string) => Promise<string>;

/** There is no terminal to ask on (a cron job, CI, a pipe with no tty). */
export class NoTerminalError extends Error {
  constructor() {
    super("no terminal to ask on");
    this.name = "NoTerminalError";
  }
}

/** Questions wait for each other: fleet mode connects to several hosts at once. */
let previousQuestion: Promise<unknown> = Promise.resolve();

/** The default prompt: reads from /dev/tty in raw mode, echoing nothing; one question at a time. */
export const terminalPrompt: SecretPrompt = (question) => {
  const asked = previousQuestion.catch(() => undefined).then(() => askOnTerminal(question));
  previousQuestion = asked;
  return asked;
};

function askOnTerminal(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let fd: number;
    try {
      fd = openSync("/dev/tty", "r+");
    } catch {
      reject(new NoTerminalError());
      return;
    }
    let input: ReadStream;
    try {
      input = new ReadStream(fd);
    } catch {
      closeSync(fd);
      reject(new NoTerminalError());
      return;
    }
    input.setRawMode(true); // before the question, so nothing typed ahead is echoed
    writeSync(fd, printable(question)); // it quotes host names and key paths from config files
    let answer = "";
    const finish = (outcome: () => void) => {
      input.setRawMode(false);
      input.removeAllListeners("data");
      writeSync(fd, "\r\n");
      input.destroy(); // closes fd
      outcome();
    };
    input.on("data", (chunk: Buffer) => {
      for (const char of chunk.toString("utf8")) {
        if (char === "\r" || char === "\n") return finish(() => resolve(answer));
        if (char === "\u0003") {
          return finish(() =>
            reject(new RssdriftError("interrupted while asking for a secret", EXIT.interrupted, undefined, "interrupted")),
          );
        }
        if (char === "\u0004" && answer === "") return finish(() => resolve(""));
        if (char === "\u007f" || char === "\b") answer = [...answer].slice(0, -1).join("");
        else if (char === "\u0015")
          answer = ""; // Ctrl-U: start over, as getpass does
        else if (char >= " ") answer += char;
      }
    });
  });
}
