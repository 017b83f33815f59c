import { render } from "ink-testing-library";
import { describe, expect, it } from "vitest";
import { handMadeHello, handMadeSample } from "../../test/fixtures/hand-made-samples.js";
import { pushedSource } from "../../test/fixtures/pushed-source.js";
import { App } from "./App.js";
import type { ViewOutcome } from "./stream-types.js";

describe("App (scratch)", () => {
  it("renders", async () => {
    const source = pushedSource("drgn helper on lab");
    const byKey = new Map<number, ReturnType<typeof handMadeSample>>();
    const outcomes: ViewOutcome[] = [];
    const app = render(
      <App
        open={async () => source}
        analyse={(_h, s) => byKey.get(s.seq)!.analysis}
        saveSnapshot={async () => ["a.json", "a.md"]}
        onDone={(o) => outcomes.push(o)}
        mode="live"
      />,
    );
    const hello = handMadeHello();
    source.push({ type: "progress", step: "loading-debug-info", message: "loading debug info" });
    await new Promise((r) => setTimeout(r, 50));
    console.log(app.lastFrame());
    source.push(hello);
    for (let seq = 0; seq < 5; seq++) {
      const s = handMadeSample(seq);
      byKey.set(seq, s);
      source.push(s.sample);
    }
    await new Promise((r) => setTimeout(r, 100));
    console.log(app.lastFrame());
    expect(1).toBe(1);
    app.unmount();
  });
});
