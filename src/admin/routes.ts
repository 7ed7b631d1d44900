import { Router } from 'express';
import type { Knex } from 'knex';
import { requireAdmin } from '../auth/guards';
import { ADAPTERS } from '../ingest/adapters';
import { promoteSuggestedLink, showSuggestedLinks } from './link-handlers';
import { confirmMerge, keepWorksApart, mergeWorks, showCatalogAdmin, showRunLog } from './handlers';
import type { SourceKey } from './queries';

/** /admin/catalog: the catalog's sources, conflicts and likely duplicates, for administrators only. */
export function adminRoutes(knex: Knex): Router {
  // Which key name each source's records are linked under (none for an ids-only source): how a
  // conflict's record finds its work.
  const keys: SourceKey[] = ADAPTERS.map((adapter) => ({ name: adapter.name, keyName: adapter.keyName }));
  const router = Router();
  router.get('/admin/catalog', requireAdmin, showCatalogAdmin(knex, keys));
  router.get('/admin/catalog/links', requireAdmin, showSuggestedLinks(knex));
  router.post('/admin/catalog/links/promote', requireAdmin, promoteSuggestedLink(knex));
  router.get('/admin/catalog/runs/:jobId', requireAdmin, showRunLog(knex));
  router.get('/admin/catalog/pairs/:duplicateId/:keptId/merge', requireAdmin, confirmMerge(knex, keys));
  router.post('/admin/catalog/pairs/:duplicateId/:keptId/merge', requireAdmin, mergeWorks(knex, keys));
  router.post('/admin/catalog/pairs/:duplicateId/:keptId/keep-apart', requireAdmin, keepWorksApart(knex, keys));
  return router;
}
