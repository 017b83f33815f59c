// Check: which rss_stat era the kernel is in, found the only reliable way: by running the real
// helper (helpers/rss_stat.py, over the same transport) and reading the era and layout from its
// hello line, which it derives from mm_struct's types. When the helper cannot run yet, a guess
// from the kernel version is shown, labelled as one.
import { type CheckResult, fail, ok, skipped } from "./check.js";
import type { Privilege } from "./check-root.js";
import { eraFromRelease } from "../analysis/era-guess.js";
import { EXIT, RssdriftError } from "../errors.js";
import type { HelloLine } from "../schema/helper-line.js";
import { openHelperSource } from "../sources/helper-source.js";
import type { Transport } from "../transports/transport.js";

const NAME = "rss_stat era";
/** Any process with user memory will do; pid 1 always exists and is never a kernel thread. */
const ERA_PROBE_PID = 1;
/** drgn indexes vmlinux's DWARF at start-up: seconds on a real machine, longer under emulation */
const ERA_TIMEOUT_MS = 180_000;

export function describeHello(hello: HelloLine): string {
  const source = hello.era_source === "type" ? "from mm_struct's types" : "guessed by the helper from the version";
  const cpus = `${hello.cpus.online.length} online CPU${hello.cpus.online.length === 1 ? "" : "s"}`;
  switch (hello.era) {
    case "percpu":
      return `percpu (${source}: mm->rss_stat is ${hello.layout}; batch ${hello.batch ?? "unknown"}, ${cpus}; drgn ${hello.drgn})`;
    case "split-rss":
      return `split-rss (${source}: mm->rss_stat is ${hello.layout}, plus per-thread caches; ${cpus}; drgn ${hello.drgn})`;
    case "none":
      return `none: no cache, cached == exact (${source}: ${hello.layout}; drgn ${hello.drgn})`;
    case "unknown":
      return `unknown (${hello.layout || "no layout"})`;
  }
}

export function guessedEraDetail(release: string): string {
  const era = eraFromRelease(release);
  return era === "unknown"
    ? `not checked (needs the above); the kernel release ${JSON.stringify(release)} does not say which era`
    : `not checked (needs the above); a guess from the kernel version ${release}: ${era} (v6.2 and later are percpu, older are split-rss)`;
}

const TIMED_OUT = Symbol("timed out");

/** Reads the helper's hello line, giving up after ERA_TIMEOUT_MS; always closes the helper. */
export interface EraOptions {
  signal?: AbortSignal | undefined;
  python?: string | undefined;
  vmlinux?: string | undefined;
}

async function readHello(transport: Transport, sudo: boolean, options: EraOptions): Promise<HelloLine | typeof TIMED_OUT> {
  const { signal, python, vmlinux } = options;
  const source = await openHelperSource(transport, { pid: ERA_PROBE_PID, intervalMs: 1000, count: 1, smaps: false, sudo, python, vmlinux });
  const stop = () => void source.close();
  signal?.addEventListener("abort", stop, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<typeof TIMED_OUT>((resolve) => (timer = setTimeout(() => resolve(TIMED_OUT), ERA_TIMEOUT_MS)));
  const first = (async () => {
    for await (const line of source) if (line.type === "hello") return line;
    return undefined;
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

export async function checkEra(
  transport: Transport,
  release: string,
  privilege: Privilege,
  prerequisitesOk: boolean,
  options: EraOptions = {},
): Promise<CheckResult> {
  if (!prerequisitesOk || privilege === "none") return skipped(NAME, guessedEraDetail(release));
  try {
    const hello = await readHello(transport, privilege === "sudo", options);
    if (hello === TIMED_OUT) {
      return fail(
        NAME,
        `the helper sent no hello line within ${ERA_TIMEOUT_MS / 1000} s (drgn still loading debug info?)`,
        "run it again; if it persists, run `rssdrift 1 --backend drgn` to see the helper's progress",
      );
    }
    if (hello.era === "unknown") return fail(NAME, describeHello(hello), "this kernel's layout is not supported yet: use `--backend procfs`");
    return ok(NAME, describeHello(hello));
  } catch (err) {
    if (!(err instanceof RssdriftError)) throw err;
    return fail(NAME, `the helper failed: ${err.message}`, err.hint ?? "run `rssdrift 1 --backend drgn` to see the helper's own error");
  }
}
