import express from 'express';
import request from 'supertest';
import { z } from 'zod';
import { checked, nextPath, typedValues, TYPED_MAX, type Refusal } from '../../src/http/validate';

/** The edge's check on its own: a tiny app with one checked route. */
function appWith(options: { passCheckedBody?: boolean; repeated?: 'first' | 'empty' } = {}) {
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  const seen: { refusals: Refusal[]; bodies: unknown[] } = { refusals: [], bodies: [] };
  app.post(
    '/things/:id',
    checked(
      {
        schemas: {
          params: z.object({ id: z.string().regex(/^\d+$/) }),
          body: z.object({ name: z.string().trim().min(1, { error: 'Enter a name' }), next: nextPath('/things') }),
        },
        refuse(_req, res, refusal) {
          seen.refusals.push(refusal);
          res.json({ refused: refusal.part });
        },
        ...options,
      },
      (req, res, input) => {
        seen.bodies.push(req.body);
        res.json({ id: input.params.id, name: input.body.name, next: input.body.next, typed: input.typed });
      },
    ),
  );
  return { app, seen };
}

describe('validation at the edge', () => {
  it('hands the handler the typed values, and leaves req.body as it came', async () => {
    const { app, seen } = appWith();
    const response = await request(app)
      .post('/things/7')
      .type('form')
      .send({ name: '  Ann  ', next: '//evil.example' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      id: '7',
      name: 'Ann',
      next: '/things',
      typed: { name: '  Ann  ', next: '//evil.example' },
    });
    expect(seen.bodies).toEqual([{ name: '  Ann  ', next: '//evil.example' }]);
  });

  it('passes the checked body on when the route asks (passport-local reads it)', async () => {
    const { app, seen } = appWith({ passCheckedBody: true });
    await request(app).post('/things/7').type('form').send({ name: '  Ann  ', extra: 'x' });
    expect(seen.bodies).toEqual([{ name: 'Ann', next: '/things' }]);
  });

  it('refuses with 422, the part at fault, its errors and the values as typed; the handler does not run', async () => {
    const { app, seen } = appWith();
    const response = await request(app).post('/things/7').type('form').send({ name: '   ' });
    expect(response.status).toBe(422);
    expect(response.body).toEqual({ refused: 'body' });
    expect(seen.refusals).toEqual([
      {
        part: 'body',
        errors: { name: 'Enter a name' },
        typed: { name: '   ' },
        passed: { params: { id: '7' } },
        back: expect.any(Function) as jest.AsymmetricMatcher,
      },
    ]);
    expect(seen.bodies).toEqual([]);
  });

  it("gives a refusal the form's next, as nextPath reads it", async () => {
    const { app, seen } = appWith();
    await request(app).post('/things/7').type('form').send({ name: '', next: '/things?page=2' });
    await request(app).post('/things/7').type('form').send({ name: '', next: '//evil.example' });
    expect(seen.refusals.map((refusal) => refusal.back('/fallback'))).toEqual(['/things?page=2', '/fallback']);
  });

  it('checks the path before the body', async () => {
    const { app, seen } = appWith();
    const response = await request(app).post('/things/x').type('form').send({ name: '' });
    expect(response.body).toEqual({ refused: 'params' });
    expect(seen.refusals[0]!.part).toBe('params');
  });

  it('draws a repeated field empty, or by its first value when the route says so', async () => {
    const empty = appWith();
    await request(empty.app).post('/things/7').type('form').send('name=a&name=b');
    expect(empty.seen.refusals[0]!.typed).toEqual({ name: '' });
    const first = appWith({ repeated: 'first' });
    await request(first.app).post('/things/7').type('form').send('name=a&name=b');
    expect(first.seen.refusals[0]!.typed).toEqual({ name: 'a' });
  });

  it('draws control characters as U+FFFD and cuts long text, but keeps tabs and line breaks', () => {
    expect(typedValues({ a: 'x\u0000y\u001bz', b: 'one\ttwo\r\nthree', c: 'n'.repeat(TYPED_MAX + 5), d: 3 })).toEqual({
      a: 'x\uFFFDy\uFFFDz',
      b: 'one\ttwo\r\nthree',
      c: 'n'.repeat(TYPED_MAX),
    });
    expect(typedValues(undefined)).toEqual({});
  });
});
