// What every check needs to know about the target first: kernel release, distribution, user,
// and whether commands that need root run as root, through `sudo -n`, or not at all.
import { type DistroFamily, type OsRelease, distroFamily, parseOsRelease } from "./os-release.js";
import { probe } from "./probe.js";
import type { Transport } from "../transports/transport.js";

export interface TargetFacts {
  /** the transport's name for the target: "this machine", "root@host:22" */
  where: string;
  /** `uname -r` */
  release: string;
  os: OsRelease;
  family: DistroFamily;
  uid: number | null;
  user: string;
}

/** os-release(5): /etc/os-release, else /usr/lib/os-release. A fixed script, no arguments. */
const READ_OS_RELEASE = "cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release 2>/dev/null || true";

export async function gatherFacts(transport: Transport): Promise<TargetFacts> {
  const uname = await probe(transport, ["uname", "-r"]);
  const osText = await probe(transport, ["sh", "-c", READ_OS_RELEASE]);
  const uid = await probe(transport, ["id", "-u"]);
  const user = await probe(transport, ["id", "-un"]);
  const os = parseOsRelease(osText.stdout);
  const uidNumber = /^\d+$/.test(uid.stdout.trim()) ? Number(uid.stdout.trim()) : null;
  return {
    where: transport.where,
    release: uname.stdout.trim(),
    os,
    family: distroFamily(os),
    uid: uidNumber,
    user: user.stdout.trim() || (uidNumber === null ? "unknown user" : `uid ${uidNumber}`),
  };
}
