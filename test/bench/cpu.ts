/**
 * CPU time (user + system) spent by the app's processes, PostgreSQL's and the load generator
 * during a phase, read from /proc: what a request costs the machine, steadier from run to run
 * than its latency, which queues behind everything else on two cores. Linux only; elsewhere
 * (or when /proc cannot be read) there is no figure.
 */
import fs from 'node:fs';

/** Milliseconds of CPU, by whose. */
export interface CpuTime {
  app: number;
  database: number;
  client: number;
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

/** The CPU used so far by `appPid` and its descendants (the workers), PostgreSQL, and `clientPid`. */
export function readCpuTime(appPid: number, clientPid: number): CpuTime | undefined {
  const processes = allProcesses();
  if (!processes) return undefined;
  const app = new Set([appPid]);
  // Descendants: repeat until no process joins (a worker's parent is the primary).
  for (let grew = true; grew;) {
    grew = false;
    for (const stat of processes) {
      if (!app.has(stat.pid) && app.has(stat.ppid)) {
        app.add(stat.pid);
        grew = true;
      }
    }
  }
  const sum = (keep: (stat: ProcessStat) => boolean) =>
    processes.filter(keep).reduce((total, stat) => total + stat.cpuMs, 0);
  return {
    app: sum((stat) => app.has(stat.pid)),
    database: sum((stat) => stat.command === 'postgres'),
    client: sum((stat) => stat.pid === clientPid),
  };
}

/** The results' column for cpuPerRequest. */
export const CPU_COLUMN = 'CPU ms/req: app + db + client';

/** "2.1 + 1.3 + 0.4": CPU ms per request for the app, PostgreSQL and the client, or "?" without /proc. */
export function cpuPerRequest(before: CpuTime | undefined, after: CpuTime | undefined, requests: number): string {
  if (!before || !after || requests === 0) return '?';
  const per = (key: keyof CpuTime) => ((after[key] - before[key]) / requests).toFixed(1);
  return `${per('app')} + ${per('database')} + ${per('client')}`;
}
