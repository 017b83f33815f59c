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
  ])("reads %s", (text, expected) => {
    expect(parseSshTarget(text)).toEqual(expected);
  });

  it.each(["", "@db1", "db1:", "db1:0", "db1:65536", "db1:22x", "-oProxyCommand=x", "[::1]:x", "a b"])(
    "refuses %j with a bad-input error",
    (text) => {
      let caught: unknown;
      try {
        parseSshTarget(text);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(RssdriftError);
      expect((caught as RssdriftError).exitCode).toBe(EXIT.badInput);
    },
  );
});
