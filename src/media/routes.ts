import { Router } from 'express';
import type { Knex } from 'knex';
import { requireAdmin } from '../auth/guards';
import { deleteRelationship, getRelationships, postRelationship } from './api';

/** /api/media/:id/relationships (JSON): read by anyone, changed by administrators. */
export function mediaRoutes(knex: Knex): Router {
  const router = Router();
  router.get('/api/media/:id/relationships', getRelationships(knex));
  router.post('/api/media/:id/relationships', requireAdmin, postRelationship(knex));
  router.delete('/api/media/:id/relationships/:kind/:targetId', requireAdmin, deleteRelationship(knex));
  return router;
}
