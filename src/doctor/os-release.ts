// /etc/os-release (os-release(5)): which distribution the target runs, so that every fix names
// the right package manager and package.

export interface OsRelease {
  /** ID, lower-case, e.g. "debian", "ubuntu", "fedora"; "" when the file had none */
  id: string;
  /** ID_LIKE, split on spaces, e.g. ["rhel", "centos", "fedora"] */
  idLike: string[];
  /** PRETTY_NAME, for messages */
  prettyName: string;
}

/** The families whose install commands differ. */
export type DistroFamily = "debian" | "ubuntu" | "fedora" | "other";

/** Parses os-release text: KEY=value lines, values optionally quoted with shell-style escapes. */
export function parseOsRelease(text: string): OsRelease {
  const fields = new Map<string, string>();
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line);
    if (match) fields.set(match[1]!, unquote(match[2]!));
  }
  const id = (fields.get("ID") ?? "").toLowerCase();
  const idLike = (fields.get("ID_LIKE") ?? "").toLowerCase().split(/\s+/).filter(Boolean);
  return { id, idLike, prettyName: fields.get("PRETTY_NAME") ?? fields.get("NAME") ?? (id || "unknown Linux") };
}

function unquote(value: string): string {
  const quote = value[0];
  if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
    const inner = value.slice(1, -1);
    return quote === '"' ? inner.replace(/\\([\\"$`])/g, "$1") : inner;
  }
  return value;
}

/** Ubuntu and its derivatives first (they are also ID_LIKE=debian), then Debian, then Fedora/RHEL. */
export function distroFamily(os: OsRelease): DistroFamily {
  const ids = [os.id, ...os.idLike];
  if (ids.includes("ubuntu")) return "ubuntu";
  if (ids.includes("debian")) return "debian";
  if (ids.some((id) => id === "fedora" || id === "rhel" || id === "centos")) return "fedora";
  return "other";
}
