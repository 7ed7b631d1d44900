import * as cheerio from 'cheerio';
import { formFields, loadPage } from '../support/pages';
import { useSeededApp } from '../support/seeded';
import { createUser, signedInAgent } from '../support/session';

/**
 * A list entry's edit (POST /list/:mediaId) with values PostgreSQL cannot hold or no one means:
 * control characters and dates out of range are refused with 422 and a message by the field,
 * the form comes back with what was typed, and the entry is left as it was.
 */
describe('a list entry edit with bad input', () => {
  const seeded = useSeededApp();
  const year = new Date().getUTCFullYear();
  const today = new Date().toISOString().slice(0, 10);

  let offset = 0;
  async function entryOnList() {
    const knex = seeded.db.knex;
    const user = await createUser(knex);
    offset += 1;
    const media = await knex('media.media')
      .where({ media_type: 'book' })
      .orderBy('id')
      .offset(offset)
      .first<{ id: string; title: string }>('id', 'title');
    await knex('interaction.user_media').insert({
      user_id: user.id,
      media_id: media.id,
      status: 'planning',
      notes: 'as it was',
    });
    const agent = await signedInAgent(seeded.app, user);
    const $ = await loadPage(agent, `/list/${media.id}/edit`);
    return { user, agent, media, fields: formFields($, $('form.entry-edit-form')) };
  }

  const stored = (userId: string, mediaId: string) =>
    seeded.db
      .knex('interaction.user_media')
      .where({ user_id: userId, media_id: mediaId })
      .first<
        { notes: string | null; started_at: Date | null; completed_at: Date | null; updated_at: Date } | undefined
      >('notes', 'started_at', 'completed_at', 'updated_at');

  describe.each([
    ['plain', false],
    ['htmx', true],
  ])('%s', (_how, htmx) => {
    async function post(fields: Record<string, string>) {
      const { user, agent, media, fields: drawn } = await entryOnList();
      const before = await stored(user.id, media.id);
      const request = agent.post(`/list/${media.id}`);
      if (htmx) request.set('HX-Request', 'true');
      const response = await request.type('form').send({ ...drawn, ...fields });
      return { response, before, after: await stored(user.id, media.id), media };
    }

    it.each([
      ['a NUL', 'a\u0000b'],
      ['an escape', 'a\u001bb'],
      ['a DEL', 'a\u007fb'],
      ['a C1 control', 'a\u0085b'],
    ])('refuses notes holding %s with 422 and the message by the field, and writes nothing', async (_name, notes) => {
      const { response, before, after } = await post({ notes });
      expect(response.status).toBe(422);
      expect(response.text).toContain('control characters');
      expect(after).toEqual(before);
      if (!htmx) {
        const $ = cheerio.load(response.text);
        expect($('#notes').attr('aria-invalid')).toBe('true');
        expect($('#notes-error').text()).toContain('control characters');
        // What was typed comes back, the control character shown as a replacement character.
        expect($('#notes').text()).toBe(notes.replace(/\p{Cc}/u, '\uFFFD'));
        expect($('.error-summary a[href="#notes"]').text()).toContain('control characters');
      }
    });

    it('keeps tabs and line breaks in notes', async () => {
      const notes = 'first\tcolumn\nsecond line\n\nthird';
      const { response, after } = await post({ notes });
      expect(response.status).toBe(htmx ? 200 : 303);
      expect(after!.notes).toBe(notes);
    });

    it('keeps unicode beyond control characters: emoji, right-to-left text, combining marks', async () => {
      const notes = 'Loved it 🎉👩🏽‍🚀 — שלום עולם \u202Eevil\u202C — e\u0301 \uFEFF';
      const { response, after } = await post({ notes });
      expect(response.status).toBe(htmx ? 200 : 303);
      expect(after!.notes).toBe(notes);
    });

    it.each(['0000-01-01', '0999-12-31', '10000-01-01', `${year + 2}-01-01`, '2024-02-30', '2024-13-01'])(
      'refuses the date %s with 422 and writes nothing',
      async (date) => {
        const { response, before, after } = await post({ started: date });
        expect(response.status).toBe(422);
        expect(after).toEqual(before);
        expect(response.text).toContain('Enter a date');
        if (!htmx) {
          const $ = cheerio.load(response.text);
          expect($('#started').val()).toBe(date);
          expect($('#started').attr('aria-invalid')).toBe('true');
          expect($('#started-error').text()).toContain(`between 1000-01-01 and ${year + 1}-12-31`);
        }
      },
    );

    it.each(['1000-01-01', today, `${year + 1}-12-31`])('accepts the date %s', async (date) => {
      const { response, after } = await post({ started: date });
      expect(response.status).toBe(htmx ? 200 : 303);
      expect(after!.started_at!.toISOString().slice(0, 10)).toBe(date);
    });

    it('refuses a completion day out of range in the same way', async () => {
      const { response, before, after } = await post({ status: 'completed', completed: '0000-01-01' });
      expect(response.status).toBe(422);
      expect(after).toEqual(before);
    });

    it.each([
      ['a status', { status: 'completed\u0000' }],
      ['a rating', { rating: '5\u0000' }],
      ['a progress', { progress: '\u00003' }],
    ])('refuses %s holding a control character, and writes nothing', async (_name, fields) => {
      const { response, before, after } = await post(fields);
      expect(response.status).toBe(422);
      expect(after).toEqual(before);
    });
  });

  it('refuses a field sent twice (a=1&a=2) with 422 rather than choosing one', async () => {
    const { user, agent, media, fields } = await entryOnList();
    const before = await stored(user.id, media.id);
    const body = new URLSearchParams({ ...fields });
    body.append('notes', 'second');
    const response = await agent.post(`/list/${media.id}`).type('form').send(body.toString());
    expect(response.status).toBe(422);
    expect(cheerio.load(response.text)('#notes-error').text()).toContain('once');
    expect(await stored(user.id, media.id)).toEqual(before);
  });

  it.each([
    // What a browser sends for a lone surrogate typed or pasted: the replacement character.
    ['a lone surrogate as a browser sends it', 'a%EF%BF%BDb', 'a\uFFFDb'],
    // Bytes that are not UTF-8 at all (no browser sends these): kept as they were sent.
    ['broken UTF-8', 'a%ED%A0%80b%FFc', undefined],
  ])('saves notes holding %s, never a 500', async (_name, encoded, expected) => {
    const { user, agent, media, fields } = await entryOnList();
    const body = new URLSearchParams({ ...fields, notes: 'x' }).toString().replace('notes=x', `notes=${encoded}`);
    const response = await agent.post(`/list/${media.id}`).type('form').send(body);
    expect(response.status).toBe(303);
    const notes = (await stored(user.id, media.id))!.notes!;
    if (expected) expect(notes).toBe(expected);
    expect(notes).not.toMatch(/[\uD800-\uDFFF]/u);
  });

  it('refuses overlong notes with 422 and keeps the entry', async () => {
    const { user, agent, media, fields } = await entryOnList();
    const before = await stored(user.id, media.id);
    const response = await agent
      .post(`/list/${media.id}`)
      .type('form')
      .send({ ...fields, notes: 'x'.repeat(10_001) });
    expect(response.status).toBe(422);
    expect(cheerio.load(response.text)('#notes-error').text()).toContain('at most 10,000');
    expect(await stored(user.id, media.id)).toEqual(before);
  });

  it('answers the media page’s tracking panel with the field’s message in place', async () => {
    const { user, agent, media, fields } = await entryOnList();
    const before = await stored(user.id, media.id);
    const response = await agent
      .post(`/list/${media.id}`)
      .set('HX-Request', 'true')
      .set('HX-Target', 'tracking-panel')
      .type('form')
      .send({ ...fields, notes: 'bad\u0000', started: '0000-01-01' });
    expect(response.status).toBe(422);
    const $ = cheerio.load(response.text);
    expect($('#notes-error').text()).toContain('control characters');
    expect($('#started-error').text()).toContain('Enter a date');
    expect($('#started').val()).toBe('0000-01-01');
    expect(await stored(user.id, media.id)).toEqual(before);
  });
});
