import { describe, expect, it } from "vitest";
import { EXIT, RssdriftError } from "../errors.js";
import { parseSshTarget } from "./ssh-target.js";

describe("parseSshTarget", () => {
  it.each([
    ["db1", { host: "db1" }],
    ["root@db1", { user: "root", host: "db1" }],
    ["db1:2222", { host: "db1", port: 2222 }],
    ["admin@10.0.0.5:2222", { user: "admin", host: "10.0.0.5", port: 2222 }],
    ["[fe80::1]:22", { host: "fe80::1", port: 22 }],
    ["me@[::1]:2200", { user: "me", host: "::1", port: 2200 }],
    ["[::1]", { host: "::1" }],
    ["::1", { host: "::1" }],
    ["first.last@corp@jump", { user: "first.last@corp", host: "jump" }],
    ["[fe80::1%eth0]:22", { host: "fe80::1%eth0", port: 22 }],
    ["::ffff:10.0.0.5", { host: "::ffff:10.0.0.5" }],
    ["[db1]:2222", { host: "db1", port: 2222 }],
  ])("reads %s", (text, expected) => {
    expect(parseSshTarget(text)).toEqual(expected);
  });

  /** the error parseSshTarget throws for text */
  function refusal(text: string): RssdriftError {
    let caught: unknown;
    try {
      parseSshTarget(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RssdriftError);
    return caught as RssdriftError;
  }

  it.each([
    "",
    "@db1",
    "db1:",
    "db1:0",
    "db1:65536",
    "db1:22x",
    "-oProxyCommand=x",
    "[::1]:x",
    "a b",
    "[::1",
    "[::1]x",
    "[]:22",
    "a:1:2",
    "web::22",
    "[a:1:2]:22",
    "db1\n",
    "db1\nevil",
    "root@db1\r",
    "db1\u001b]0;PWNED\u0007",
    "db1\u009b31m",
    "db1\u202etxt",
    "ro\u0000ot@db1",
    "db1;id",
    "$(id)@db1",
    "`id`",
    "db1,db2",
    "-l@db1",
  ])("refuses %j as bad input (exit 2)", (text) => {
    const error = refusal(text);
    expect(error.exitCode).toBe(EXIT.badInput);
    expect(error.code).toBe("bad-target");
  });

  it("quotes what was typed (the CLI's error line makes it printable) and says why", () => {
    expect(refusal("[::1").message).toBe(
      'bad SSH target "[::1": a "[" needs its "]" right before the end or before ":port", as in [fe80::1]:22',
    );
    expect(refusal("a:1:2").message).toBe(
      'bad SSH target "a:1:2": "a:1:2" has more than one ":" but is not an IPv6 address (a port goes after [address]:)',
    );
    expect(refusal("db1\u001b[2J\n").message).toBe('bad SSH target "db1\u001b[2J\n": it contains control characters');
  });
});
