// The system tools some tests drive for real, and the tests that need each. A tool that is missing
// skips those test files with a loud line at the start of the run (never an obscure failure).
// .ci/run installs them; the README says so.
import { spawnSync } from "node:child_process";

interface RequiredTool {
  command: string;
  /** the Debian package that has it */
  pkg: string;
  /** test files (globs) that cannot run without it */
  tests: string[];
}

export const REQUIRED_TOOLS: readonly RequiredTool[] = [
  { command: "tmux", pkg: "tmux", tests: ["test/e2e/watch-tmux.test.ts"] },
  { command: "ssh-keygen", pkg: "openssh-client", tests: ["test/integration/ssh/**", "src/transports/known-hosts.test.ts"] },
  { command: "ssh-agent", pkg: "openssh-client", tests: ["test/integration/ssh/auth.test.ts"] },
  { command: "setpriv", pkg: "util-linux", tests: ["test/integration/doctor/doctor-local.test.ts"] },
  { command: "tcsh", pkg: "tcsh", tests: ["test/integration/ssh/login-shells.test.ts", "src/transports/ssh-quote.test.ts"] },
  { command: "bsd-csh", pkg: "csh", tests: ["test/integration/ssh/login-shells.test.ts", "src/transports/ssh-quote.test.ts"] },
];

function found(command: string): boolean {
  return spawnSync("/bin/sh", ["-c", 'command -v "$1"', "sh", command], { stdio: "ignore" }).status === 0;
}

/** The test files to leave out here, each missing tool said once on stderr. */
export function testsLackingTools(): string[] {
  const missing = REQUIRED_TOOLS.filter((tool) => !found(tool.command));
  for (const tool of missing) {
    process.stderr.write(
      `\n*** SKIPPED: ${tool.tests.join(", ")}: \`${tool.command}\` is not installed ` +
        `(apt-get install ${tool.pkg}; .ci/run installs it)\n`,
    );
  }
  return missing.flatMap((tool) => tool.tests);
}
