import { describe, expect, it } from "vitest";
import { HOSTILE, expectNoRawControls } from "../../test/fixtures/hostile-strings.js";
import { fail, ok } from "./check.js";
import { renderDoctorText, toDoctorJson } from "./render.js";
import type { DoctorReport } from "./run-doctor.js";

describe("doctor output from a hostile target", () => {
  // os-release, uname and what a probe printed all come from the target
  const report: DoctorReport = {
    facts: {
      where: "root@lab:22",
      release: HOSTILE.kernel,
      os: { id: "debian", idLike: [], prettyName: "Debian\u001b]0;owned\u0007" },
      family: "debian",
      uid: 0,
      user: "root\r\nforged",
    },
    results: [ok("root", "uid 0"), fail("drgn", `import drgn failed: ${HOSTILE.message}`, "apt install \u202epython3-drgn")],
  };

  it("shows them as escapes", () => {
    for (const color of [false, true]) {
      const text = renderDoctorText(report, { color, host: "lab\u0007" });
      expectNoRawControls(text, `color ${color}`, { allowSgr: color });
      expect(text).toContain(`kernel ${HOSTILE.shownKernel} · Debian\\e]0;owned\\x07 · user root\\r\\nforged`);
      expect(text).toContain("fix: apt install \\u202epython3-drgn");
      expect(text).toContain("--host lab\\x07 --backend procfs");
    }
  });

  it("keeps them exact in --json", () => {
    expect(toDoctorJson(report.results)[1]).toEqual({
      check: "drgn",
      ok: false,
      detail: `import drgn failed: ${HOSTILE.message}`,
      fix: "apt install \u202epython3-drgn",
      status: "fail",
    });
  });
});
