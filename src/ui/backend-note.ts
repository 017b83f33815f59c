// The live view's one line about the backend when --backend auto skipped one: which backend
// runs, and what stopped each earlier one, so a root user sees the real blocker (no BTF, no
// debug info, sudo refused…) rather than advice to run as root.
import type { BackendChoice } from "../analysis/types.js";
import { skippedLead, skipReason } from "../vocabulary/backends.js";

/** "estimate; not used: bpf (no-btf): … · drgn (no-debug-info): …", each skip given its share of `width`; undefined when nothing was skipped */
export function backendChoiceNote(choice: BackendChoice | null, width: number): string | undefined {
  if (!choice || choice.skipped.length === 0) return undefined;
  const lead = skippedLead(choice.used);
  // each skipped backend gets its share of the line, so the last one's reason is never cut off
  const share = Math.max(12, Math.floor((width - lead.length) / choice.skipped.length) - 3);
  const reasons = choice.skipped.map((skip) => {
    const text = skipReason(skip);
    return text.length > share ? `${text.slice(0, share - 1)}…` : text;
  });
  return lead + reasons.join(" · ");
}
