import { render } from "ink-testing-library";
import { it } from "vitest";
import { analyse } from "../analysis/analyse.js";
import { frameWith } from "../../test/fixtures/frames.js";
import { handMadeHello, handMadeSampleLine } from "../../test/fixtures/hand-made-samples.js";
import { pushedSource } from "../../test/fixtures/pushed-source.js";
import { App } from "./App.js";

it("height", async () => {
  const source = pushedSource("drgn helper on root@rssdrift-lab-trixie (127.0.0.1:2222)");
  const app = render(<App open={async () => source} analyse={analyse} saveSnapshot={async () => []} onDone={() => {}} mode="live" />);
  Object.defineProperty(app.stdout, "rows", { get: () => 40, configurable: true });
  app.stdout.emit("resize");
  const hello = handMadeHello({ kernel: "6.12.107+deb13-cloud-amd64" });
  source.push(hello);
  source.push(handMadeSampleLine(0, undefined, hello));
  await frameWith(app, "live");
  await new Promise((r) => setTimeout(r, 300));
  const f = app.lastFrame()!;
  console.log(f.split("\n").length);
  console.log(f);
  app.unmount();
});
