import { describe, expect, it } from "vitest";
import { EXIT } from "../errors.js";
import { connectError } from "./ssh-errors.js";

const where = "root@db1:2222";
const failure = (fields: { code?: string; level?: string; message?: string }) => Object.assign(new Error(fields.message ?? "x"), fields);

describe("connectError", () => {
  it.each([
    [{ code: "ECONNREFUSED", level: "client-socket" }, "ssh-refused", /connection refused/],
    [{ code: "ENOTFOUND", level: "client-socket" }, "ssh-dns", /does not resolve/],
    [{ code: "EAI_AGAIN", level: "client-socket" }, "ssh-dns", /does not resolve/],
    [{ code: "EHOSTUNREACH", level: "client-socket" }, "ssh-unreachable", /unreachable/],
    [{ code: "ENETUNREACH", level: "client-socket" }, "ssh-unreachable", /unreachable/],
    [{ code: "ETIMEDOUT", level: "client-socket" }, "ssh-timeout", /timed out/],
    [{ level: "client-timeout" }, "ssh-timeout", /timed out/],
    [{ code: "ECONNRESET", level: "client-socket" }, "ssh-reset", /reset/],
    [{ level: "handshake", message: "no matching key exchange" }, "ssh-handshake", /no matching key exchange/],
  ])("%o → %s, one line naming host and port, exit 6", (fields, code, pattern) => {
    const error = connectError(failure(fields), where);
    expect(error.exitCode).toBe(EXIT.sshFailure);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(pattern);
    expect(error.message).toContain(where);
    expect(error.message).not.toContain("\n");
  });

  it("says what authentication tried, or that there was nothing to try", () => {
    const tried = connectError(failure({ level: "client-authentication" }), where, ["ssh-agent", "/home/me/.ssh/id_ed25519"]);
    expect(tried.message).toBe("permission denied on root@db1:2222 (tried ssh-agent, /home/me/.ssh/id_ed25519)");
    expect(connectError(failure({ level: "client-authentication" }), where).message).toContain("no key to offer");
  });
});
