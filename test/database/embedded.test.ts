import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { EmbeddedPostgres } from '../../src/database/embedded';

const logger = pino({ level: 'silent' });

async function query<T extends pg.QueryResultRow>(server: EmbeddedPostgres, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: server.connectionString('postgres') });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('the embedded PostgreSQL server', () => {
  let folder: string;
  let clusterDir: string;

  beforeAll(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'omt-embedded-'));
    clusterDir = path.join(folder, 'postgres');
  });

  afterAll(() => {
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('initialises a cluster, keeps its data across a stop and a start, and listens on loopback only', async () => {
    const first = await EmbeddedPostgres.start({ clusterDir, logger });
    try {
      await query(first, 'create table kept (value text); insert into kept values ($$still here$$)');
      const [settings] = await query<{ listen: string }>(
        first,
        'select current_setting($$listen_addresses$$) as listen',
      );
      expect(settings!.listen).toBe('127.0.0.1');
    } finally {
      await first.stop();
    }
    // Stopped means stopped: nothing answers on the old port.
    await expect(query(first, 'select 1')).rejects.toThrow();
    expect(fs.existsSync(path.join(folder, 'postgres.owner'))).toBe(false);
    expect(fs.statSync(path.join(folder, 'postgres.password')).mode & 0o077).toBe(0);

    const second = await EmbeddedPostgres.start({ clusterDir, logger });
    try {
      expect(await query(second, 'select value from kept')).toEqual([{ value: 'still here' }]);
    } finally {
      await second.stop();
    }
  });

  it('refuses a password that is not the cluster password', async () => {
    const server = await EmbeddedPostgres.start({ clusterDir, logger });
    try {
      const client = new pg.Client({
        host: '127.0.0.1',
        port: server.port,
        user: 'postgres',
        password: 'guess',
        database: 'postgres',
      });
      await expect(client.connect()).rejects.toThrow(/password authentication failed/);
    } finally {
      await server.stop();
    }
  });

  it('stops a server left running by a crashed run before starting again', async () => {
    const orphan = await EmbeddedPostgres.start({ clusterDir, logger });
    // The process that started it is gone: a finished child's pid stands in for it.
    const gone = spawn(process.execPath, ['-e', '0']);
    await new Promise((resolve) => gone.on('exit', resolve));
    fs.writeFileSync(path.join(folder, 'postgres.owner'), `${gone.pid}\n`);

    const restarted = await EmbeddedPostgres.start({ clusterDir, logger });
    try {
      await expect(query(orphan, 'select 1')).rejects.toThrow();
      expect(await query(restarted, 'select 1 as ok')).toEqual([{ ok: 1 }]);
    } finally {
      await restarted.stop();
      await orphan.stop();
    }
  });

  it('will not take over a server that another live process runs', async () => {
    const running = await EmbeddedPostgres.start({ clusterDir, logger });
    const other = spawn('sleep', ['30']);
    try {
      fs.writeFileSync(path.join(folder, 'postgres.owner'), `${other.pid}\n`);
      await expect(EmbeddedPostgres.start({ clusterDir, logger })).rejects.toThrow(`is in use by process ${other.pid}`);
      expect(await query(running, 'select 1 as ok')).toEqual([{ ok: 1 }]);
    } finally {
      other.kill();
      await running.stop();
    }
  });
});

describe('a stale lock file of the embedded server', () => {
  let folder: string;
  let clusterDir: string;

  beforeAll(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'omt-embedded-stale-'));
    clusterDir = path.join(folder, 'postgres');
  });

  afterAll(() => {
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('is removed, and the process it names is left alone, when that process is not this database', async () => {
    const first = await EmbeddedPostgres.start({ clusterDir, logger });
    await first.stop();
    // After a reboot the recorded pid can belong to anything: here, a harmless sleeper.
    const unrelated = spawn('sleep', ['30']);
    try {
      fs.writeFileSync(path.join(clusterDir, 'postmaster.pid'), `${unrelated.pid}\n${clusterDir}\n0\n5432\n`);
      const started = await EmbeddedPostgres.start({ clusterDir, logger });
      try {
        expect(await query(started, 'select 1 as ok')).toEqual([{ ok: 1 }]);
        expect(unrelated.exitCode).toBeNull();
        expect(unrelated.signalCode).toBeNull();
      } finally {
        await started.stop();
      }
    } finally {
      unrelated.kill();
    }
  });

  it('lets a second process use the server the first one runs, without stopping it', async () => {
    const owner = await EmbeddedPostgres.start({ clusterDir, logger });
    try {
      const shared = EmbeddedPostgres.running({ clusterDir, logger });
      expect(shared?.port).toBe(owner.port);
      expect(await query(shared!, 'select 1 as ok')).toEqual([{ ok: 1 }]);
      await shared!.stop();
      expect(await query(owner, 'select 1 as ok')).toEqual([{ ok: 1 }]);
    } finally {
      await owner.stop();
    }
    expect(EmbeddedPostgres.running({ clusterDir, logger })).toBeUndefined();
  });
});
