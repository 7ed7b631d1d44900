import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../src/paths';

/**
 * `npm run bench:first-start [-- RUNS]`: how long a first `npm start` takes, from the command to
 * the home page served with the whole catalog loaded, on the embedded database in a new data
 * folder each time (so each run initialises PostgreSQL, migrates and loads every dataset). The
 * target is 120 s for the median of three runs on the reference machine. Prints each run's
 * seconds and where the time went (compile, database ready, catalog loaded, home page).
 */

const runs = Number(process.argv[2] ?? 3);

interface Timing {
  total: number;
  marks: Record<string, number>;
}

function firstStart(): Promise<Timing> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'omt-first-start-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: '0',
    LOG_LEVEL: 'info',
    DEMO_ACCOUNT: 'false',
  };
  delete env.DATABASE_URL;
  const started = performance.now();
  // A process group of its own, stopped as Ctrl-C in a terminal stops it: npm does not pass a signal on.
  const child = spawn('npm', ['start', '--silent'], {
    cwd: projectRoot,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  const marks: Record<string, number> = {};
  const mark = (name: string) => (marks[name] ??= (performance.now() - started) / 1000);
  const watched: [RegExp, string][] = [
    [/initialising the embedded PostgreSQL/, 'compiled'],
    [/migrations applied/, 'migrated'],
    [/ingest: every dataset loaded/, 'catalog loaded'],
  ];
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      for (const [pattern, name] of watched) if (pattern.test(output)) mark(name);
      const listening = /running at http:\/\/localhost:(\d+)/.exec(output);
      if (listening && marks.listening === undefined) {
        mark('listening');
        void fetch(`http://127.0.0.1:${listening[1]}/`)
          .then(async (response) => {
            const body = await response.text();
            if (response.status !== 200) throw new Error(`home page: ${response.status}`);
            const total = (performance.now() - started) / 1000;
            const size = /class="welcome"[\s\S]*?<strong>([\d,]+)<\/strong>/.exec(body)?.[1];
            process.stdout.write(`  home page served, catalog of ${size ?? '?'} titles\n`);
            child.on('exit', () => {
              fs.rmSync(dataDir, { recursive: true, force: true });
              resolve({ total, marks });
            });
            process.kill(-child.pid!, 'SIGINT');
          })
          .catch(reject);
      }
    });
    child.on('exit', (code) => {
      if (marks.listening === undefined) reject(new Error(`npm start exited (${code}) before listening:\n${output}`));
    });
  });
}

async function main(): Promise<void> {
  const timings: Timing[] = [];
  for (let run = 1; run <= runs; run += 1) {
    process.stdout.write(`first start ${run}/${runs}…\n`);
    const timing = await firstStart();
    timings.push(timing);
    const marks = Object.entries(timing.marks)
      .map(([name, seconds]) => `${name} ${seconds.toFixed(1)} s`)
      .join(', ');
    process.stdout.write(`  ${timing.total.toFixed(1)} s (${marks})\n`);
  }
  const totals = timings.map((timing) => timing.total).sort((a, b) => a - b);
  const median = totals[Math.floor(totals.length / 2)]!;
  process.stdout.write(
    `first start, median of ${runs}: ${median.toFixed(1)} s (runs: ${timings.map((t) => t.total.toFixed(1)).join(', ')} s; target 120 s)\n`,
  );
}

void main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
