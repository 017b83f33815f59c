"""One result of `rss_stat.py --check` (checks.py), as the check line carries it, and the words
for the hello line that each backend's proof ends with."""


class Check:
    """name: the check's stable name (e.g. "/proc/kcore"; doctor shows it and its --json keeps it).
    status: ok; warn (nothing known to block, but it could not be told: not a pass); fail;
    skipped (not checked, because a check it needs failed).
    code: for a failure, the error code the backend itself would stop with (not-root, no-kcore...).
    fix: for a failure, the command or step that fixes it."""

    def __init__(self, name, status, detail, code=None, fix=None):
        self.name = name
        self.status = status
        self.detail = detail
        self.code = code
        self.fix = fix


def ok(name, detail):
    return Check(name, "ok", detail)


def warn(name, detail):
    return Check(name, "warn", detail)


def fail(name, code, detail, fix=None):
    return Check(name, "fail", detail, code, fix)


def skipped(name, detail):
    return Check(name, "skipped", detail)


def describe_hello(hello):
    """The era a reader found, from its hello line: "percpu (detected from the kernel's types: ...)".
    In the words rssdrift's other screens use (src/vocabulary/era.ts, machine.ts)."""
    source = "detected from the kernel's types" if hello["era_source"] == "type" else "guessed from the kernel release"
    online, possible = len(hello["cpus"]["online"]), len(hello["cpus"]["possible"])
    cpus = "%d of %d CPU%s online" % (online, possible, "" if possible == 1 else "s")
    reader = "drgn %s" % hello["drgn"] if hello["backend"] == "drgn" else hello["backend"]
    era, layout = hello["era"], hello["layout"]
    if era == "percpu":
        batch = hello["batch"] if hello["batch"] is not None else "unknown"
        return "percpu (%s: mm->rss_stat is %s; batch %s, %s; %s)" % (source, layout, batch, cpus, reader)
    if era == "split-rss":
        return "split-rss (%s: mm->rss_stat is %s, plus per-thread caches; %s; %s)" % (source, layout, cpus, reader)
    if era == "none":
        return "none: no cache, cached == exact (%s: %s; %s)" % (source, layout, reader)
    return "unknown (%s)" % (layout or "no layout")
