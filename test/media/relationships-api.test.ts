import type { Express } from 'express';
import request from 'supertest';
import type { ApiErrorBody } from '../support/api';
import { createTestApp } from '../support/app';
import { createSeededDatabase, type TestDatabase } from '../support/database';
import { createUser, signedInAgent, type Agent } from '../support/session';

/** What the relationships API answers with: a title's links (src/media/api.ts relatedJson). */
interface RelationshipsBody {
  relationships: {
    kind: string;
    kindLabel: string;
    target: { id: string; title: string; mediaType: string; releaseDate: string | null };
  }[];
}

/** The relationships API: /api/media/:id/relationships, JSON, with inverse links kept in step. */
describe('the relationships API', () => {
  let db: TestDatabase;
  let app: Express;
  let admin: { agent: Agent; token: string };
  let member: { agent: Agent; token: string };
  let offset = 0;

  /** A signed-in agent and the CSRF token its pages carry for scripts and htmx. */
  async function withToken(role: 'admin' | 'member') {
    const agent = await signedInAgent(app, await createUser(db.knex, { role }));
    const page = await agent.get('/settings');
    const token = /"x-csrf-token": "([^"]+)"/.exec(page.text)?.[1];
    if (!token) throw new Error('no CSRF token on /settings');
    return { agent, token };
  }

  /** Two titles no other test links: distinct for each call. */
  async function twoTitles(): Promise<[string, string]> {
    offset += 2;
    const ids = await db
      .knex('media.media')
      .whereNotExists(db.knex('media.relationships').whereRaw('source_id = media.media.id'))
      .orderBy('title')
      .offset(offset)
      .limit(2)
      .pluck('id');
    return [ids[0]!, ids[1]!];
  }

  const links = (sourceId: string) =>
    db
      .knex('media.relationships')
      .where({ source_id: sourceId })
      .select<{ kind: string; target_id: string }[]>('kind', 'target_id');

  beforeAll(async () => {
    db = await createSeededDatabase();
    app = createTestApp(db.knex);
    admin = await withToken('admin');
    member = await withToken('member');
  });

  afterAll(async () => {
    await db.drop();
  });

  const post = (who: { agent: Agent; token: string }, id: string, body: object) =>
    who.agent.post(`/api/media/${id}/relationships`).set('x-csrf-token', who.token).send(body);

  it('lets an administrator link two titles, writing the inverse in the same transaction', async () => {
    const [first, second] = await twoTitles();
    const response = await post(admin, first, { kind: 'sequel', targetId: second });
    expect(response.status).toBe(201);
    expect((response.body as RelationshipsBody).relationships).toEqual([
      expect.objectContaining({
        kind: 'sequel',
        kindLabel: 'Sequel',
        target: expect.objectContaining({ id: second }) as jest.AsymmetricMatcher,
      }),
    ]);
    expect(await links(first)).toEqual([{ kind: 'sequel', target_id: second }]);
    expect(await links(second)).toEqual([{ kind: 'prequel', target_id: first }]);

    const read = await request(app).get(`/api/media/${second}/relationships`);
    expect(read.status).toBe(200);
    expect((read.body as RelationshipsBody).relationships).toEqual([
      expect.objectContaining({
        kind: 'prequel',
        target: expect.objectContaining({ id: first }) as jest.AsymmetricMatcher,
      }),
    ]);
  });

  it('removes a link and its inverse together', async () => {
    const [first, second] = await twoTitles();
    expect((await post(admin, first, { kind: 'adaptation', targetId: second })).status).toBe(201);
    const removed = await admin.agent
      .delete(`/api/media/${first}/relationships/adaptation/${second}`)
      .set('x-csrf-token', admin.token);
    expect(removed.status).toBe(204);
    expect(await links(first)).toEqual([]);
    expect(await links(second)).toEqual([]);
    const again = await admin.agent
      .delete(`/api/media/${first}/relationships/adaptation/${second}`)
      .set('x-csrf-token', admin.token);
    expect(again.status).toBe(404);
    expect((again.body as ApiErrorBody).error.code).toBe('not_found');
  });

  it('answers every refusal with its status and a JSON error', async () => {
    const [first, second] = await twoTitles();
    const unknown = '00000000-0000-4000-8000-000000000000';
    const cases: [string, () => request.Test, number, string, string | undefined][] = [
      [
        'anonymous',
        () => request(app).post(`/api/media/${first}/relationships`).send({ kind: 'sequel', targetId: second }),
        401,
        'unauthenticated',
        undefined,
      ],
      ['a member', () => post(member, first, { kind: 'sequel', targetId: second }), 403, 'forbidden', undefined],
      ['an unknown kind', () => post(admin, first, { kind: 'cousin', targetId: second }), 422, 'invalid', 'kind'],
      ['a self-link', () => post(admin, first, { kind: 'sequel', targetId: first }), 422, 'invalid', 'targetId'],
      ['a malformed target', () => post(admin, first, { kind: 'sequel', targetId: 'x' }), 422, 'invalid', 'targetId'],
      ['no body', () => post(admin, first, {}), 422, 'invalid', 'kind'],
      [
        'an unknown target',
        () => post(admin, first, { kind: 'sequel', targetId: unknown }),
        404,
        'not_found',
        'targetId',
      ],
      [
        'an unknown source',
        () => post(admin, unknown, { kind: 'sequel', targetId: second }),
        404,
        'not_found',
        undefined,
      ],
      [
        'a malformed source',
        () => post(admin, 'not-an-id', { kind: 'sequel', targetId: second }),
        404,
        'not_found',
        undefined,
      ],
      [
        'no CSRF token',
        () => admin.agent.post(`/api/media/${first}/relationships`).send({ kind: 'sequel', targetId: second }),
        403,
        'csrf',
        undefined,
      ],
    ];
    for (const [label, send, status, code, field] of cases) {
      const response = await send();
      // Read with care: a case gone wrong may answer without a JSON error.
      const body = response.body as Partial<ApiErrorBody> | undefined;
      expect({
        label,
        status: response.status,
        code: body?.error?.code,
        field: body?.error?.field,
      }).toEqual({
        label,
        status,
        code,
        field,
      });
      expect(typeof (response.body as ApiErrorBody).error.message).toBe('string');
    }
    expect(await links(first)).toEqual([]);
    expect((await request(app).get('/api/media/not-an-id/relationships')).status).toBe(404);
  });

  it('refuses a duplicate with 409, and of two concurrent identical posts one wins', async () => {
    const [first, second] = await twoTitles();
    const results = await Promise.all([
      post(admin, first, { kind: 'side_story', targetId: second }),
      post(admin, first, { kind: 'side_story', targetId: second }),
    ]);
    expect(results.map((response) => response.status).sort()).toEqual([201, 409]);
    expect(await links(first)).toEqual([{ kind: 'side_story', target_id: second }]);
    expect(await links(second)).toEqual([{ kind: 'parent_story', target_id: first }]);
    // The inverse direction is the same link: refused too.
    expect((await post(admin, second, { kind: 'parent_story', targetId: first })).status).toBe(409);
  });
});
