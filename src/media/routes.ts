import { Router } from 'express';
import type { Knex } from 'knex';
import { requireAdmin } from '../auth/guards';
import { deleteRelationship, getRelationships, postRelationship } from './api';
import { linkFromPage, showCollection, showMedia, unlinkFromPage } from './handlers';

/** /media/:id, a title's page; /api/media/:id/relationships (JSON): read by anyone, changed by administrators. */
export function mediaRoutes(knex: Knex): Router {
  const router = Router();
  router.get('/media/:id', showMedia(knex));
  router.get('/collections/:path', showCollection(knex));
  router.post('/media/:id/relationships', requireAdmin, linkFromPage(knex));
  router.post('/media/:id/relationships/:kind/:targetId/delete', requireAdmin, unlinkFromPage(knex));
  router.get('/api/media/:id/relationships', getRelationships(knex));
  router.post('/api/media/:id/relationships', requireAdmin, postRelationship(knex));
  router.delete('/api/media/:id/relationships/:kind/:targetId', requireAdmin, deleteRelationship(knex));
  return router;
}
