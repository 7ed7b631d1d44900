import { Router } from 'express';
import type { Knex } from 'knex';
import { requireUser } from '../auth/guards';
import type { UploadLimits } from './files';
import {
  answerQuestion,
  answerRow,
  applyImportJob,
  cancelImportJob,
  changeImportMode,
  downloadNotImported,
  showImportJob,
  showImportPage,
  showRowSearch,
  undoImportJob,
  uploadImport,
} from './handlers';

/** /import: a person's list imports, from upload to undo (the multipart body is read by ./upload.ts). */
export function importRoutes(knex: Knex, limits: UploadLimits): Router {
  const router = Router();
  router.get('/import', requireUser, showImportPage(knex, limits));
  router.post('/import', requireUser, uploadImport(knex, limits));
  router.get('/import/:jobId', requireUser, showImportJob(knex));
  router.get('/import/:jobId/not-imported.csv', requireUser, downloadNotImported(knex));
  router.post('/import/:jobId/answer', requireUser, answerQuestion(knex));
  router.post('/import/:jobId/mode', requireUser, changeImportMode(knex));
  router.post('/import/:jobId/apply', requireUser, applyImportJob(knex));
  router.post('/import/:jobId/cancel', requireUser, cancelImportJob(knex));
  router.post('/import/:jobId/undo', requireUser, undoImportJob(knex));
  router.get('/import/:jobId/rows/:row', requireUser, showRowSearch(knex));
  router.post('/import/:jobId/rows/:row/pick', requireUser, answerRow(knex, 'pick'));
  router.post('/import/:jobId/rows/:row/skip', requireUser, answerRow(knex, 'skip'));
  return router;
}
