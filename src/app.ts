import compression from 'compression';
import express, { type Express } from 'express';
import type { Knex } from 'knex';
import type { Config } from './config';
import { healthRoutes } from './health/routes';
import { homeRoutes } from './home/routes';
import { createAssetUrls, setUpStaticResources } from './http/assets';
import { handleErrors, notFound } from './http/errors';
import { setUpRequestLogging } from './http/request-logging';
import { setUpSecurityHeaders } from './http/security';
import { setUpViews } from './http/views';
import type { Logger } from './logger';

export interface AppDependencies {
  knex: Knex;
  logger: Logger;
  config: Pick<Config, 'isProduction' | 'env'> & { donateUrl?: string | undefined };
}

/** The composition root: every middleware and route, in order. Only src/server.ts listens. */
export function createApp({ knex, logger, config }: AppDependencies): Express {
  const app = express();
  app.set('query parser', 'simple');
  if (config.isProduction) app.set('view cache', true);

  setUpRequestLogging(app, logger);
  setUpSecurityHeaders(app);
  app.use(compression());
  setUpStaticResources(app, { cacheForever: config.env !== 'development' });
  setUpViews(app, { asset: createAssetUrls(), donateUrl: config.donateUrl });
  app.use(express.urlencoded({ extended: false, limit: '32kb', parameterLimit: 200 }));

  app.use(healthRoutes(knex));
  app.use(homeRoutes(knex));

  app.use(notFound);
  app.use(handleErrors);
  return app;
}
