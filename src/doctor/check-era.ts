// Check: which rss_stat era the kernel is in, found the only reliable way: by running the real
// helper (helpers/rss_stat.py, over the same transport) and reading the era and layout from its
// hello line, which it derives from mm_struct's types. When the helper cannot run yet, a guess
// from the kernel version is shown, labelled as one.
import { type CheckResult, fail, ok, skipped } from "./check.js";
import type { Privilege } from "./check-root.js";
import { eraFromRelease } from "../analysis/era-guess.js";
import { RssdriftError } from "../errors.js";
import type { HelloLine } from "../schema/helper-line.js";
import type { Transport } from "../transports/transport.js";
import { HELPER_TIMEOUT_MS, readHello, TIMED_OUT } from "./helper-round-trip.js";

const NAME = "rss_stat era";
/** Any process with user memory will do; pid 1 always exists and is never a kernel thread. */
const ERA_PROBE_PID = 1;

export function describeHello(hello: HelloLine): string {
  const source = hello.era_source === "type" ? "from mm_struct's types" : "guessed by the helper from the version";
  const cpus = `${hello.cpus.online.length} online CPU${hello.cpus.online.length === 1 ? "" : "s"}`;
  const reader = hello.backend === "drgn" ? `drgn ${hello.drgn}` : hello.backend;
  switch (hello.era) {
    case "percpu":
      return `percpu (${source}: mm->rss_stat is ${hello.layout}; batch ${hello.batch ?? "unknown"}, ${cpus}; ${reader})`;
    case "split-rss":
      return `split-rss (${source}: mm->rss_stat is ${hello.layout}, plus per-thread caches; ${cpus}; ${reader})`;
    case "none":
      return `none: no cache, cached == exact (${source}: ${hello.layout}; ${reader})`;
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

export interface EraOptions {
  signal?: AbortSignal | undefined;
  python?: string | undefined;
  vmlinux?: string | undefined;
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
    const { signal, python, vmlinux } = options;
    const hello = await readHello(transport, { pid: ERA_PROBE_PID, backend: "drgn", sudo: privilege === "sudo", python, vmlinux }, signal);
    if (hello === TIMED_OUT) {
      return fail(
        NAME,
        `the helper sent no hello line within ${HELPER_TIMEOUT_MS / 1000} s (drgn still loading debug info?)`,
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
