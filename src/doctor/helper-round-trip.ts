// Runs the real helper once over the doctor's transport and reads its hello line: the only sure
// way to know a backend works there. Bounded in time, stopped by Ctrl-C, always closed.
import { EXIT, RssdriftError } from "../errors.js";
import type { HelloLine } from "../schema/helper-line.js";
import type { HelperOptions } from "../sources/helper-launch.js";
import { openHelperSource } from "../sources/helper-source.js";
import type { Transport } from "../transports/transport.js";

/** drgn indexes vmlinux's DWARF at start-up: seconds on a real machine, longer under emulation */
export const HELPER_TIMEOUT_MS = 180_000;
export const TIMED_OUT = Symbol("timed out");

/**
 * Reads the helper's hello line, giving up after HELPER_TIMEOUT_MS; always closes the helper.
 * `script` replaces helpers/rss_stat.py, for tests with a scripted helper.
 */
export async function readHello(
  transport: Transport,
  options: Pick<HelperOptions, "pid" | "backend" | "sudo" | "python" | "vmlinux">,
  signal?: AbortSignal,
  script?: Buffer,
): Promise<HelloLine | typeof TIMED_OUT> {
  const source = await openHelperSource(transport, { ...options, intervalMs: 1000, count: 1, smaps: false }, script);
  const stop = () => void source.close();
  signal?.addEventListener("abort", stop, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), HELPER_TIMEOUT_MS)));
  // up to the first sample, not just the hello: a bpf read that fails its own check fails there
  const first = (async () => {
    let hello: HelloLine | undefined;
    for await (const line of source) {
      if (line.type === "hello") hello = line;
      if (line.type === "sample") return hello;
    }
    return hello;
  })();
  first.catch(() => {}); // after a timeout nobody awaits it; how it ends is not news
  try {
    const hello = await Promise.race([first, expired]);
    if (hello === undefined) {
      throw new RssdriftError(`the helper on ${transport.where} ended without a hello line`, EXIT.helperFailure, undefined, "no-hello");
    }
    return hello;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", stop);
    await source.close();
  }
}
