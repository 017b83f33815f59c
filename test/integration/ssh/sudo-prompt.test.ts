// --sudo-prompt's mechanics over a real exec channel, with a scripted `sudo` first in the
// server's PATH (no real sudo here; test/lab/ssh.test.ts runs the real one as the lab's `nopw`).
// What is proven: the password line reaches only `sudo -S -v`, the command gets exactly the
// bytes written after it, a wrong password stops before the command runs, and it is asked once.
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runCommand } from "../../../src/transports/run-command.js";
import { defaultSshOptions } from "../../../src/transports/ssh-options.js";
import { sudoFailure } from "../../../src/transports/ssh-sudo.js";
import { openSshTransport, type SshTransport } from "../../../src/transports/ssh-transport.js";
import { makeKey, removeDir, startTestServer, tempDir, writeSshConfig, type TestServer } from "./ssh-test-server.js";

/** -S -p '' -v: reads one line, checks it; -n -- CMD: runs CMD once validated. Logs what it read. */
const SCRIPTED_SUDO = `#!/bin/sh
case "$1" in
  -S) IFS= read -r pw
      printf '%s\\n' "$pw" >> "$FAKE_SUDO_DIR/passwords-read"
      if [ "$pw" = "$FAKE_SUDO_PASSWORD" ]; then : > "$FAKE_SUDO_DIR/validated"; exit 0; fi
      echo "Sorry, try again." >&2; echo "sudo: 1 incorrect password attempt" >&2; exit 1 ;;
  -n) shift; [ "$1" = "--" ] && shift
      if [ -f "$FAKE_SUDO_DIR/validated" ]; then exec "$@"; fi
      echo "sudo: a password is required" >&2; exit 1 ;;
esac
exit 2
`;

let dir: string;
let sudoDir: string;
let server: TestServer;
let config: string;
let transport: SshTransport | undefined;
let questions: string[];
let answer: string;

beforeAll(async () => {
  dir = tempDir("ssh-sudo-prompt");
  sudoDir = join(dir, "sudo");
  mkdirSync(join(dir, "bin"));
  writeFileSync(join(dir, "bin", "sudo"), SCRIPTED_SUDO);
  chmodSync(join(dir, "bin", "sudo"), 0o755);
  const hostKey = makeKey(dir, "host_key");
  const userKey = makeKey(dir, "user_key");
  server = await startTestServer({
    hostKey,
    authorizedKeys: [userKey],
    env: { PATH: `${join(dir, "bin")}:${process.env.PATH}`, FAKE_SUDO_DIR: sudoDir, FAKE_SUDO_PASSWORD: "pa$$ 'word'" },
  });
  const knownHosts = join(dir, "known_hosts");
  writeFileSync(knownHosts, `[127.0.0.1]:${server.port} ${hostKey.publicLine}\n`);
  config = writeSshConfig(join(dir, "config"), {
    srv: { HostName: "127.0.0.1", Port: server.port, User: "tester", IdentityFile: userKey.path, UserKnownHostsFile: knownHosts },
  });
});
beforeEach(async () => {
  rmSync(sudoDir, { recursive: true, force: true });
  mkdirSync(sudoDir);
  questions = [];
  transport = await openSshTransport("srv", { ...defaultSshOptions(), configFile: config, sudoPrompt: true }, () => undefined, {
    home: dir,
    env: { PATH: process.env.PATH },
    prompt: async (question) => {
      questions.push(question);
      return answer;
    },
  });
});
afterEach(async () => {
  await transport?.close();
  transport = undefined;
});
afterAll(async () => {
  await server?.close();
  removeDir(dir);
});

describe("--sudo-prompt", () => {
  it("feeds the password to sudo -v only; the command gets exactly what follows; asked once", async () => {
    answer = "pa$$ 'word'";
    for (const round of [1, 2]) {
      const { stdout, stderr, exit } = await runCommand(transport!, ["sudo", "-n", "cat"], `preamble ${round}\ncontrol line\n`);
      expect({ stdout, stderr, exit }).toEqual({
        stdout: `preamble ${round}\ncontrol line\n`,
        stderr: "",
        exit: { code: 0, signal: null },
      });
    }
    expect(questions).toEqual([`[sudo] password for ${transport!.where}: `]);
    expect(readFileSync(join(sudoDir, "passwords-read"), "utf8")).toBe("pa$$ 'word'\npa$$ 'word'\n");
  });

  it("a wrong password stops before the command runs, and sudoFailure says so", async () => {
    answer = "wrong";
    const { stdout, stderr, exit } = await runCommand(transport!, ["sudo", "-n", "cat"], "preamble\n");
    expect(exit.code).toBe(1);
    expect(stdout).toBe(""); // cat never ran: the preamble went nowhere
    expect(sudoFailure(stderr, transport!.where)?.message).toBe(`sudo on ${transport!.where} did not accept the password`);
  });

  it("leaves commands without sudo -n alone", async () => {
    answer = "unused";
    expect((await runCommand(transport!, ["echo", "plain"])).stdout).toBe("plain\n");
    expect(questions).toEqual([]);
  });
});
