/**
 * The import queue's worker: in every process that serves requests, it takes the oldest job with
 * work to do (reading a file, or applying a confirmed import) with FOR UPDATE SKIP LOCKED and
 * does that step inside the same transaction, holding the job's lock. A process that dies
 * mid-step rolls its transaction back and frees the lock: the job is simply taken again, by this
 * process after a restart or by another at once. No state lives in memory between steps.
 */
import type { Knex } from '../database/connection';
import type { Logger } from '../logger';
import type { UploadLimits } from './files';
import { runNextImportStep } from './step-queries';

export { runNextImportStep };

/** Runs steps until no job has work left (tests, and the worker between naps). */
export async function runImportSteps(knex: Knex, logger: Logger, limits?: UploadLimits): Promise<number> {
  let steps = 0;
  while (await runNextImportStep(knex, logger, limits)) steps += 1;
  return steps;
}

export interface ImportWorker {
  /** Looks for work now rather than at the next tick (after an upload or a confirmation). */
  nudge(): void;
  /** Stops taking work; resolves when the step in hand, if any, has ended. */
  stop(): Promise<void>;
}

/** Polls the queue every `intervalMs` (and when nudged) until stopped. */
export function startImportWorker(
  knex: Knex,
  logger: Logger,
  options: { intervalMs?: number; limits?: UploadLimits } = {},
): ImportWorker {
  const intervalMs = options.intervalMs ?? 1000;
  let stopped = false;
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    if (stopped || running) return;
    running = runImportSteps(knex, logger, options.limits)
      .then(
        () => undefined,
        (error: unknown) => logger.warn({ err: error }, 'the import queue could not be read'),
      )
      .finally(() => {
        running = undefined;
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  timer = setTimeout(tick, intervalMs);
  return {
    nudge: () => {
      if (timer) clearTimeout(timer);
      tick();
    },
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
