/**
 * CPU time (user + system) spent by the app's processes, the PostgreSQL server's and the load generator
 * during a phase, read from /proc: what a request costs the machine, steadier from run to run
 * than its latency, which queues behind everything else on two cores. Linux only; elsewhere
 * (or when /proc cannot be read) there is no figure.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';

/** Milliseconds of CPU so far, by whose, process by process (undefined: not known here). */
export interface CpuTime {
  app: Map<number, number>;
  database: Map<number, number> | undefined;
  client: Map<number, number>;
}

/** Linux reports times in clock ticks of 1/100 s (USER_HZ) on every architecture Node runs on. */
const MS_PER_TICK = 10;

interface ProcessStat {
  pid: number;
  ppid: number;
  command: string;
  cpuMs: number;
}

function readStat(pid: string): ProcessStat | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // gone meanwhile
  }
  // "pid (command) state ppid ... utime stime ...": the command may hold spaces and parentheses.
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  const fields = text.slice(close + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return {
    pid: Number(pid),
    ppid: Number(fields[1]),
    command: text.slice(open + 1, close),
    cpuMs: ticks * MS_PER_TICK,
  };
}

function allProcesses(): ProcessStat[] | undefined {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  return entries.map(readStat).filter((stat): stat is ProcessStat => stat !== undefined);
}

/** A process and its descendants (the app's workers, PostgreSQL's backends), among `processes`. */
function family(processes: ProcessStat[], root: number): Set<number> {
  const members = new Set([root]);
  // Repeat until no process joins: a child may be listed before its parent.
  for (let grew = true; grew;) {
    grew = false;
    for (const stat of processes) {
      if (!members.has(stat.pid) && members.has(stat.ppid)) {
        members.add(stat.pid);
        grew = true;
      }
    }
  }
  return members;
}

/**
 * The pid of the PostgreSQL server `knex` talks to, when it runs on this machine and its data
 * directory can be read (postmaster.pid); else undefined, and the database's CPU shows as "?".
 */
export async function findPostmaster(knex: Knex): Promise<number | undefined> {
  try {
    const { rows } = await knex.raw<{ rows: { data_directory: string }[] }>('show data_directory');
    const text = fs.readFileSync(path.join(rows[0]!.data_directory, 'postmaster.pid'), 'utf8');
    const pid = Number(text.split('\n')[0]);
    return Number.isInteger(pid) && fs.existsSync(`/proc/${pid}/stat`) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The CPU used so far by the app (`app` and its workers), the PostgreSQL server (`database` and
 * its backends) and the load generator (`client`), process by process. A backend that exits
 * between two readings takes its time with it (the app's pools keep theirs, and those are what
 * this counts); read by process, its exit takes nothing from the others' figures.
 */
export function readCpuTime(pids: { app: number; client: number; database: number | undefined }): CpuTime | undefined {
  const processes = allProcesses();
  if (!processes) return undefined;
  const times = (members: Set<number>) =>
    new Map(processes.filter((stat) => members.has(stat.pid)).map((stat) => [stat.pid, stat.cpuMs]));
  return {
    app: times(family(processes, pids.app)),
    database: pids.database === undefined ? undefined : times(family(processes, pids.database)),
    client: times(new Set([pids.client])),
  };
}

/** The results' column for cpuPerRequest. */
export const CPU_COLUMN = 'CPU ms/req: app + db + client';

/** CPU spent between two readings by the processes alive at the second (a new one from nothing). */
function spentBetween(before: Map<number, number>, after: Map<number, number>): number {
  let spent = 0;
  for (const [pid, ms] of after) spent += ms - (before.get(pid) ?? 0);
  return spent;
}

/** "2.1 + 1.3 + 0.4": CPU ms per request for the app, PostgreSQL and the client, or "?" without /proc. */
export function cpuPerRequest(before: CpuTime | undefined, after: CpuTime | undefined, requests: number): string {
  if (!before || !after || requests === 0) return '?';
  const per = (key: keyof CpuTime) => {
    const was = before[key];
    const is = after[key];
    return was && is ? (spentBetween(was, is) / requests).toFixed(1) : '?';
  };
  return `${per('app')} + ${per('database')} + ${per('client')}`;
}
