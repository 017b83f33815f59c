import { describe, expect, it } from "vitest";
import { handMadeHello, handMadeSample, handMadeSampleLine, seedCounters } from "../../test/fixtures/hand-made-samples.js";
import { HOSTILE, expectNoRawControls } from "../../test/fixtures/hostile-strings.js";
import { analyse } from "../analysis/analyse.js";
import { EXIT, RssdriftError } from "../errors.js";
import { fleetExitCode, fleetJson, parseHostsFile, renderFleetTable, type FleetRow } from "./fleet.js";

const failed = (host: string, exitCode: (typeof EXIT)[keyof typeof EXIT]): FleetRow => ({
  host,
  ok: false,
  error: new RssdriftError(`${host} failed`, exitCode, "do this", "some-code"),
});
const succeeded = (host: string): FleetRow => ({ host, ok: true, pid: 42, sample: handMadeSample(1) });

describe("parseHostsFile", () => {
  it("reads one host per line, skipping blanks and # comments", () => {
    expect(parseHostsFile("# fleet\n\nroot@db1\n  db2:2222  # second\n[::1]:22\n", "hosts")).toEqual(["root@db1", "db2:2222", "[::1]:22"]);
  });

  it("names the file and line of a bad host", () => {
    expect(() => parseHostsFile("db1\ndb2:x\n", "hosts")).toThrow(/^hosts:2: /);
  });
});

describe("fleetExitCode", () => {
  it("is 0 when every row succeeded, else the highest failed row's code", () => {
    expect(fleetExitCode([succeeded("a"), succeeded("b")])).toBe(EXIT.ok);
    expect(fleetExitCode([succeeded("a"), failed("b", EXIT.targetGone), failed("c", EXIT.sshFailure)])).toBe(EXIT.sshFailure);
    expect(fleetExitCode([failed("a", EXIT.hostKey), failed("b", EXIT.helperFailure)])).toBe(EXIT.hostKey);
  });
});

describe("renderFleetTable", () => {
  it("gives a failed host its row and its one line (with the fix) under the table", () => {
    const text = renderFleetTable([succeeded("a"), failed("b", EXIT.sshFailure)]);
    expect(text.split("\n")[2]).toMatch(/^b\s+–\s+error \(below\)$/);
    expect(text).toContain("✗ b: b failed (fix: do this)");
  });

  it("marks a procfs estimate", () => {
    // what the procfs backend sends: no counters, only /proc
    const hello = handMadeHello({ backend: "procfs", drgn: null, era: "unknown", era_source: "version", layout: "", batch: null });
    const sample = { ...handMadeSampleLine(1, undefined, hello), counters: null };
    const estimate = { hello, sample, analysis: analyse(hello, sample) };
    expect(estimate.analysis.estimate).toBe(true);
    const text = renderFleetTable([{ host: "a", ok: true, pid: 1, sample: estimate }]);
    expect(text).toMatch(/pages \([^)]*\)\*/);
    expect(text).toContain("* procfs estimate");
  });
});

describe("fleet output from a hostile host", () => {
  const sample = handMadeSample(1, seedCounters, handMadeHello({ kernel: HOSTILE.kernel }));
  const rows: FleetRow[] = [
    { host: "a", ok: true, pid: 1, sample },
    { host: "b\u001b[8m", ok: false, error: new RssdriftError(HOSTILE.message, EXIT.helperFailure, "run \u001b]0;x\u0007", "x") },
  ];

  it("shows releases, hosts and error lines as escapes in the table", () => {
    const text = renderFleetTable(rows);
    expectNoRawControls(text, "fleet table");
    expect(text).toContain(HOSTILE.shownKernel);
    expect(text).toContain("✗ b\\e[8m: no process\\r\\nrssdrift: all good \\x9b2J\\x07 (fix: run \\e]0;x\\x07)");
  });

  it("keeps them exact in --json", () => {
    const [ok, bad] = fleetJson(rows);
    expect(ok!.kernel).toBe(HOSTILE.kernel);
    expect(bad!.error!.message).toBe(HOSTILE.message);
  });
});

describe("fleetJson", () => {
  it("summarises each host and keeps the full report, or the error", () => {
    const [ok, bad] = fleetJson([succeeded("a"), failed("b", EXIT.hostKey)]);
    expect(ok).toMatchObject({ host: "a", ok: true, pid: 42, cpus: 4, batch: 32, bound: { pages: 372, bytes: 372 * 4096 } });
    expect(ok!.report?.schema).toBe("rssdrift-report/1");
    expect(bad).toEqual({
      host: "b",
      ok: false,
      pid: null,
      error: { code: "some-code", exitCode: EXIT.hostKey, message: "b failed", hint: "do this" },
    });
  });
});
