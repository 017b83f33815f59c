// A real SSH server for the integration tests: ssh2's Server on loopback (port 0), with a host
// key made by ssh-keygen, public-key authentication, exec channels that really run `bash -c` on
// this machine like sshd with a bash login shell (or tcsh, csh: so quoting is proven end to end), signals, and
// direct-tcpip for ProxyJump.
// Keys and ssh-agent come from OpenSSH's own tools.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect as netConnect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ssh2, { type Connection, type ParsedKey, type ServerChannel } from "ssh2";

// ssh2 is CommonJS: Node's ESM loader does not see `Server` and `utils` as named exports
const { Server, utils } = ssh2;

export interface KeyFiles {
  /** the private key file */
  path: string;
  /** the public key line, "ssh-ed25519 AAAA… comment" */
  publicLine: string;
  /** the public key blob */
  blob: Buffer;
  /** what ssh-keygen -l says: SHA256:… */
  fingerprint: string;
}

/** Makes a key pair with ssh-keygen (optionally with a passphrase). */
export function makeKey(dir: string, name: string, options: { type?: string; passphrase?: string } = {}): KeyFiles {
  const path = join(dir, name);
  execFileSync("ssh-keygen", ["-q", "-t", options.type ?? "ed25519", "-N", options.passphrase ?? "", "-C", name, "-f", path]);
  const publicLine = readFileSync(`${path}.pub`, "utf8").trim();
  const fingerprint = execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", `${path}.pub`], { encoding: "utf8" }).split(" ")[1]!;
  return { path, publicLine, blob: Buffer.from(publicLine.split(" ")[1]!, "base64"), fingerprint };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `rssdrift-${prefix}-`));
}

/** A scripted answer for an exec request; return false to let the command really run. */
export type ExecOverride = (command: string, channel: ServerChannel) => boolean;

export interface TestServerOptions {
  hostKey: KeyFiles;
  /** further host keys of other types: the client's algorithm preference picks which one is offered */
  moreHostKeys?: KeyFiles[];
  /** public keys allowed to log in (any user name) */
  authorizedKeys: KeyFiles[];
  exec?: ExecOverride;
  /** extra environment for the commands it runs */
  env?: NodeJS.ProcessEnv;
  /** listen on this port (a restarted server); default: any free port */
  port?: number;
  /** the login shell that runs each exec request with -c, as sshd does (default: bash) */
  shell?: string;
}

export interface TestServer {
  port: number;
  /** every command line received, in order */
  commands: string[];
  /** every process started for an exec, in order */
  processes: ChildProcess[];
  /** user names that logged in */
  users: string[];
  /** direct-tcpip requests served (ProxyJump): "host:port" */
  forwards: string[];
  /** destroys every client socket without a goodbye: a dropped link */
  dropConnections(): void;
  close(): Promise<void>;
}

function acceptPublicKey(connection: Connection, allowed: KeyFiles[], users: string[]): void {
  const keys = allowed.map((key) => utils.parseKey(key.publicLine)).filter((key) => !(key instanceof Error)) as ParsedKey[];
  connection.on("authentication", (context) => {
    if (context.method !== "publickey") return context.reject(["publickey"]);
    const key = keys.find((candidate) => candidate.type === context.key.algo && candidate.getPublicSSH().equals(context.key.data));
    if (!key) return context.reject(["publickey"]);
    if (context.signature && !key.verify(context.blob!, context.signature, context.hashAlgo)) return context.reject(["publickey"]);
    if (context.signature) users.push(context.username);
    context.accept();
  });
}

/** Runs the command like sshd: stdin EOF when the channel ends or closes, exit status or signal back. */
function runCommand(command: string, channel: ServerChannel, env: NodeJS.ProcessEnv, shell: string): ChildProcess {
  const child = spawn(shell, ["-c", command], { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, ...env } });
  channel.pipe(child.stdin);
  child.stdin.on("error", () => undefined);
  channel.on("close", () => child.stdin.end());
  child.stdout.pipe(channel, { end: false });
  child.stderr.pipe(channel.stderr, { end: false });
  let outputs = 2;
  let exit: [number | null, NodeJS.Signals | null] | undefined;
  const finish = () => {
    if (outputs > 0 || exit === undefined) return;
    const [code, signal] = exit;
    try {
      if (signal) channel.exit(signal.replace(/^SIG/, ""), false, "");
      else channel.exit(code ?? 0);
      channel.end();
    } catch {
      // the client is gone already
    }
  };
  for (const stream of [child.stdout, child.stderr])
    stream.on("end", () => {
      outputs--;
      finish();
    });
  child.on("exit", (code, signal) => {
    exit = [code, signal];
    finish();
  });
  return child;
}

export async function startTestServer(options: TestServerOptions): Promise<TestServer> {
  const commands: string[] = [];
  const processes: ChildProcess[] = [];
  const users: string[] = [];
  const forwards: string[] = [];
  const connections = new Set<Connection>();
  const server = new Server(
    { hostKeys: [options.hostKey, ...(options.moreHostKeys ?? [])].map((key) => readFileSync(key.path)) },
    (connection) => {
      connections.add(connection);
      connection.on("close", () => connections.delete(connection));
      connection.on("error", () => undefined);
      acceptPublicKey(connection, options.authorizedKeys, users);
      connection.on("tcpip", (accept, reject, info) => {
        forwards.push(`${info.destIP}:${info.destPort}`);
        const socket: Socket = netConnect(info.destPort, info.destIP);
        socket.once("error", () => reject());
        socket.once("connect", () => {
          const stream = accept();
          stream.on("error", () => undefined);
          stream.pipe(socket).pipe(stream);
        });
      });
      connection.on("session", (acceptSession) => {
        const session = acceptSession();
        let child: ChildProcess | undefined;
        // sshd acts on a "signal" request after the client's EOF; ssh2's Server refuses every request
        // once the session saw EOF, so the flag it checks is cleared to behave like sshd
        session.on("eof", () => ((session as unknown as { _ending: boolean })._ending = false));
        session.on("signal", (_accept, _reject, info) => child?.kill(`SIG${info.name}` as NodeJS.Signals));
        session.on("exec", (acceptExec, _reject, info) => {
          commands.push(info.command);
          const channel = acceptExec();
          channel.on("error", () => undefined);
          if (options.exec?.(info.command, channel)) return;
          child = runCommand(info.command, channel, options.env ?? {}, options.shell ?? "bash");
          processes.push(child);
        });
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    commands,
    processes,
    users,
    forwards,
    dropConnections() {
      for (const connection of connections) (connection as unknown as { _sock: Socket })._sock.destroy();
    },
    async close() {
      for (const child of processes) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      for (const connection of connections) connection.end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A real ssh-agent on a socket in dir, holding the given keys (added with ssh-add). */
export async function startAgent(dir: string, keys: KeyFiles[]): Promise<{ socket: string; stop(): Promise<void> }> {
  const socket = join(dir, "agent.sock");
  const agent = spawn("ssh-agent", ["-D", "-a", socket], { stdio: "ignore" });
  for (let waited = 0; !existsSync(socket); waited++) {
    if (waited > 500 || agent.exitCode !== null) throw new Error("ssh-agent did not start");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  for (const key of keys) execFileSync("ssh-add", ["-q", key.path], { env: { ...process.env, SSH_AUTH_SOCK: socket }, stdio: "ignore" });
  return {
    socket,
    async stop() {
      if (agent.exitCode === null) {
        const exited = new Promise((resolve) => agent.once("exit", resolve));
        agent.kill("SIGTERM");
        await exited;
      }
    },
  };
}

/** An ssh config file with one Host block per alias. */
export function writeSshConfig(path: string, hosts: Record<string, Record<string, string | number>>): string {
  const text = Object.entries(hosts)
    .map(([alias, settings]) => [`Host ${alias}`, ...Object.entries(settings).map(([key, value]) => `  ${key} ${value}`)].join("\n"))
    .join("\n\n");
  writeFileSync(path, `${text}\n`);
  return path;
}

/** Whether a process is alive (signal 0 checks without touching it). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function removeDir(dir: string | undefined): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
}
