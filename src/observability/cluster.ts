import cluster from 'node:cluster';
import type { Registry } from 'prom-client';
import type { Logger } from '../logger';
import { loadPromClient } from './metrics';

const ASK = 'omnimediatrak:metrics';
const ANSWER = 'omnimediatrak:metrics-answer';

/** Longer than prom-client's own 5 s wait for the workers, so its timeout is the one that speaks. */
const ANSWER_TIMEOUT_MS = 7000;

interface Ask {
  type: typeof ASK;
  id: number;
}

interface Answer {
  type: typeof ANSWER;
  id: number;
  body?: string;
  error?: string;
}

const isAsk = (message: unknown): message is Ask => (message as Ask | null)?.type === ASK;
const isAnswer = (message: unknown): message is Answer => (message as Answer | null)?.type === ANSWER;

/**
 * In the primary, with several worker processes: a worker that is asked for /metrics asks here,
 * and gets every worker's figures, gathered over IPC by prom-client and summed (averaged for
 * event-loop lag). Does nothing unless METRICS_TOKEN is set, as no worker would ask.
 */
export function serveClusterMetrics(config: { metricsToken?: string | undefined }, logger: Logger): void {
  if (!config.metricsToken) return;
  const aggregator = new (loadPromClient().AggregatorRegistry)();
  cluster.on('message', (worker, message: unknown) => {
    if (!isAsk(message)) return;
    aggregator.clusterMetrics().then(
      (body) => worker.isConnected() && worker.send({ type: ANSWER, id: message.id, body } satisfies Answer),
      (error: unknown) => {
        logger.warn({ err: error }, 'metrics could not be gathered from the workers');
        if (worker.isConnected()) worker.send({ type: ANSWER, id: message.id, error: String(error) } satisfies Answer);
      },
    );
  });
}

export interface MetricsSource {
  contentType: string;
  /** The figures in Prometheus's text format: this process's, or with workers all of theirs. */
  read(): Promise<string>;
}

/** This process's own figures: the app serves alone, without a cluster. */
export function localMetrics(registry: Registry): MetricsSource {
  return { contentType: registry.contentType, read: () => registry.metrics() };
}

let asked = 0;

/**
 * In a worker: answers the primary's requests for this worker's figures from `registry`, and
 * reads the figures of all workers by asking the primary, so that whichever worker a scrape
 * lands on, it sees the whole app.
 */
export function clusterMetrics(registry: Registry): MetricsSource {
  const { AggregatorRegistry } = loadPromClient();
  AggregatorRegistry.setRegistries([registry]);
  // Constructing one in a worker is what makes prom-client answer the primary's requests.
  new AggregatorRegistry();
  return {
    contentType: registry.contentType,
    read: () =>
      new Promise<string>((resolve, reject) => {
        asked += 1;
        const id = asked;
        const finish = () => {
          clearTimeout(timer);
          process.off('message', onMessage);
        };
        const onMessage = (message: unknown) => {
          if (!isAnswer(message) || message.id !== id) return;
          finish();
          if (message.body !== undefined) resolve(message.body);
          else reject(new Error(message.error ?? 'the primary sent no metrics'));
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error('the primary did not answer with the metrics'));
        }, ANSWER_TIMEOUT_MS);
        process.on('message', onMessage);
        try {
          process.send!({ type: ASK, id } satisfies Ask);
        } catch (error) {
          finish();
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      }),
  };
}
