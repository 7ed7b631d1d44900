import express from 'express';
import request from 'supertest';
import { requireAdmin, requireUser } from '../../src/auth/guards';
import { type SessionUser } from '../../src/users/queries';

/** A bare app whose "session" is whatever user the test says, to exercise the guards alone. */
function appWith(user: SessionUser | undefined) {
  const app = express();
  app.use((req, _res, next) => {
    req.user = user;
    next();
  });
  app.get('/private', requireUser, (_req, res) => res.send('secret page'));
  app.post('/private', requireUser, (_req, res) => res.send('changed'));
  app.get('/api/things', requireUser, (_req, res) => res.json({ ok: true }));
  app.post('/admin', requireAdmin, (_req, res) => res.send('admin done'));
  app.use((error: { status?: number }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(error.status ?? 500).send('error');
  });
  return app;
}

const member: SessionUser = {
  id: 'u1',
  username: 'member',
  role: 'member',
  theme: 'system',
  profileVisibility: 'public',
  ratingScale: 'ten_point',
  listColumns: null,
};
const admin: SessionUser = { ...member, id: 'u2', username: 'admin', role: 'admin' };

describe('authorisation guards', () => {
  it('send an anonymous page request to sign in, with next back to the page', async () => {
    const response = await request(appWith(undefined)).get('/private?tab=2');
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/login?next=%2Fprivate%3Ftab%3D2');
  });

  it('answer an anonymous htmx request with 401 and tell htmx where to sign in', async () => {
    const response = await request(appWith(undefined))
      .post('/private')
      .set('HX-Request', 'true')
      .set('HX-Current-URL', 'http://localhost:3000/settings');
    expect(response.status).toBe(401);
    expect(response.headers['hx-redirect']).toBe('/login?next=%2Fsettings');
    expect(response.headers.vary).toMatch(/HX-Request/);
  });

  it('answer an anonymous API request with a JSON 401', async () => {
    const response = await request(appWith(undefined)).get('/api/things');
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ error: { code: 'unauthenticated', message: 'Sign in to do this.' } });
  });

  it('let a signed-in user through', async () => {
    expect((await request(appWith(member)).get('/private')).text).toBe('secret page');
  });

  it('keep administrators-only routes from members (403) and let administrators in', async () => {
    expect((await request(appWith(undefined)).post('/admin')).status).toBe(303);
    expect((await request(appWith(member)).post('/admin')).status).toBe(403);
    expect((await request(appWith(admin)).post('/admin')).text).toBe('admin done');
  });
});
