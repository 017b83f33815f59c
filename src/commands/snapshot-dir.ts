// Where `s` writes snapshots. A --snapshot-dir is checked when the command starts, so a bad one
// is one line and exit 2, not a surprise at the first snapshot; and the directory is made with a
// plain (non-recursive) mkdir of its last component: Node's recursive mkdir loops forever on
// procfs (mkdir /proc/x says ENOENT, mkdir /proc says EEXIST, and round again).
import { accessSync, constants, statfsSync, statSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { RssdriftError } from "../errors.js";
import { badInput } from "./parse-flags.js";

export const DEFAULT_SNAPSHOT_DIR = "snapshots";

/** statfs f_type of the kernel's pseudo filesystems, where no snapshot file can live */
const PSEUDO_FILESYSTEMS: Record<number, string> = {
  40864: "procfs",
  1650812274: "sysfs",
  2613483: "cgroup",
  1667723888: "cgroup2",
  1684170528: "debugfs",
  1953653091: "tracefs",
  1935894131: "securityfs",
  7377: "devpts",
  3405662737: "bpffs",
  1634035564: "pstore",
  1650812272: "configfs",
  3730735588: "efivarfs",
};

/** the errno code of a failed fs call; undefined for our own (already worded) errors */
function errnoOf(error: unknown): string | undefined {
  return error instanceof RssdriftError ? undefined : (error as NodeJS.ErrnoException).code;
}

/** Checks a directory that exists: a real directory, on a real filesystem, writable. */
function checkExisting(path: string, what: string): void {
  const flag = `--snapshot-dir ${JSON.stringify(what)}`;
  if (!statSync(path).isDirectory()) throw badInput(`${flag}: ${path} is not a directory`);
  const pseudo = PSEUDO_FILESYSTEMS[statfsSync(path).type];
  if (pseudo) throw badInput(`${flag}: ${path} is on ${pseudo}, a kernel pseudo filesystem that holds no files`);
  try {
    accessSync(path, constants.W_OK);
  } catch {
    throw badInput(`${flag}: cannot write in ${path}`);
  }
}

/** The --snapshot-dir flag's value, checked (the default is made when the first snapshot is). */
export function snapshotDirOf(flag: string | undefined): string {
  if (flag === undefined) return DEFAULT_SNAPSHOT_DIR;
  if (flag === "") throw badInput("--snapshot-dir takes a directory, not an empty string");
  const path = resolve(flag);
  try {
    checkExisting(path, flag);
    return flag;
  } catch (error) {
    // ENOTDIR: a file on the way, which the parent's check below names
    if (errnoOf(error) !== "ENOENT" && errnoOf(error) !== "ENOTDIR") {
      if (errnoOf(error) === undefined) throw error;
      throw badInput(`--snapshot-dir ${JSON.stringify(flag)}: ${(error as Error).message}`);
    }
  }
  // missing: only its last component will be made, so its parent must be a usable directory
  const parent = dirname(path);
  try {
    checkExisting(parent, flag);
  } catch (error) {
    if (errnoOf(error) === "ENOENT")
      throw badInput(`--snapshot-dir ${JSON.stringify(flag)}: ${parent} does not exist (only the last directory is made)`);
    if (errnoOf(error) === undefined) throw error;
    throw badInput(`--snapshot-dir ${JSON.stringify(flag)}: ${(error as Error).message}`);
  }
  return flag;
}

/** Makes the snapshot directory if it is missing: its last component only, never recursively. */
export async function makeSnapshotDir(dir: string): Promise<void> {
  try {
    await mkdir(dir);
  } catch (error) {
    if (errnoOf(error) !== "EEXIST") throw error;
  }
}
