import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { EXIT } from "../errors.js";
import { BOOTSTRAP } from "../sources/helper-launch.js";
import { isNonInteractiveSudo, sudoFailure, sudoPromptArgv, SUDO_PROMPT_SCRIPT } from "./ssh-sudo.js";

const where = "deploy@db1:22";

describe("sudoFailure", () => {
  it.each([
    "sudo: a password is required\n",
    "sudo: a terminal is required to read the password; either use the -S option to read from standard input or configure an askpass helper\n",
  ])("turns %j into one missing-prerequisite line with the two fixes", (stderr) => {
    const error = sudoFailure(stderr, where)!;
    expect(error.exitCode).toBe(EXIT.missingPrerequisite);
    expect(error.code).toBe("sudo-password");
    expect(error.message).toBe("sudo on deploy@db1:22 needs a password, and the helper cannot ask for one");
    expect(error.hint).toContain("docs/sudo.md");
    expect(error.hint).not.toContain("NOPASSWD: /usr/bin/python3"); // root for anything: not what we suggest
    expect(error.hint).toContain("--sudo-prompt");
  });

  it("recognises a rejected password", () => {
    expect(sudoFailure("Sorry, try again.\nsudo: 1 incorrect password attempt\n", where)?.message).toBe(
      "sudo on deploy@db1:22 did not accept the password",
    );
  });

  it("recognises a user sudo does not allow", () => {
    const error = sudoFailure("deploy is not in the sudoers file.\n", where)!;
    expect(error.code).toBe("sudo-denied");
    expect(error.exitCode).toBe(EXIT.missingPrerequisite);
    expect(sudoFailure("Sorry, user deploy is not allowed to execute '/usr/bin/python3 -c …' as root on db1.\n", where)?.code).toBe(
      "sudo-denied",
    );
  });

  it("recognises a missing sudo", () => {
    expect(sudoFailure("bash: line 1: sudo: command not found\n", where)?.code).toBe("no-sudo");
  });

  it("leaves other stderr alone (the helper's own errors are the source's business)", () => {
    expect(sudoFailure("Traceback (most recent call last):\n", where)).toBeUndefined();
    expect(sudoFailure("", where)).toBeUndefined();
  });
});

describe("sudoPromptArgv", () => {
  it("recognises only `sudo -n …`", () => {
    expect(isNonInteractiveSudo(["sudo", "-n", "python3"])).toBe(true);
    expect(isNonInteractiveSudo(["python3", "-c", "x"])).toBe(false);
    expect(() => sudoPromptArgv(["python3"])).toThrow();
  });

  it("hands the command to the fixed script as its positional parameters", () => {
    const argv = sudoPromptArgv(["sudo", "-n", "python3", "-c", BOOTSTRAP, "--pid", "7"]);
    expect(argv).toEqual(["sh", "-c", SUDO_PROMPT_SCRIPT, "rssdrift-sudo", "python3", "-c", BOOTSTRAP, "--pid", "7"]);
  });

  it("is a script sh accepts", () => {
    expect(() => execFileSync("sh", ["-n", "-c", SUDO_PROMPT_SCRIPT])).not.toThrow();
  });
});
