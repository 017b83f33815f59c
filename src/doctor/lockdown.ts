// /sys/kernel/security/lockdown lists the modes with the active one in brackets:
// "none [integrity] confidentiality". Only confidentiality blocks /proc/kcore: in
// include/linux/security.h LOCKDOWN_KCORE sits after LOCKDOWN_INTEGRITY_MAX, in the
// confidentiality set, and security/lockdown/lockdown.c denies a reason only when the
// active level is >= that reason.

export type LockdownMode = "none" | "integrity" | "confidentiality";

/** The active mode, or null when the text names none of the three in brackets. */
export function parseLockdown(text: string): LockdownMode | null {
  const active = /\[(none|integrity|confidentiality)\]/.exec(text);
  return active ? (active[1] as LockdownMode) : null;
}

export function lockdownBlocksKcore(mode: LockdownMode): boolean {
  return mode === "confidentiality";
}
