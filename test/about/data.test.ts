import * as cheerio from 'cheerio';
import request from 'supertest';
import { catalogSources } from '../../src/attribution/sources';
import { ADAPTERS } from '../../src/ingest/adapters';
import { useSeededApp } from '../support/seeded';
import { createUser } from '../support/session';

/** /about/data: every dataset of the catalog credited as its licence asks, with what the database says of it. */
describe('the data sources page', () => {
  const seeded = useSeededApp();

  const loadDataPage = async () => {
    const response = await request(seeded.app).get('/about/data');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    return cheerio.load(response.text);
  };

  /** A source's block of facts: its text for each term. */
  const factsOf = ($: cheerio.CheerioAPI, name: string) => {
    const section = $(`section[data-source="${name}"]`);
    expect(section).toHaveLength(1);
    const facts: Record<string, string> = {};
    section.find('dt').each((_, term) => {
      facts[$(term).text().trim()] = $(term).next('dd').text().replace(/\s+/g, ' ').trim();
    });
    return { section, facts };
  };

  /** Makes a catalog job for a source (the source row exists in the seeded database, or is made). */
  const addJob = async (sourceName: string, fields: Record<string, unknown>) => {
    await seeded.db.knex('ingest.sources').insert({ name: sourceName, label: sourceName }).onConflict('name').ignore();
    await seeded.db.knex('ingest.import_jobs').insert({ source_name: sourceName, ...fields });
  };

  it('is a page of its own: one h1, its own title, its page name', async () => {
    const $ = await loadDataPage();
    expect($('h1')).toHaveLength(1);
    expect($('h1').text()).toBe('Data sources and licences');
    expect($('title').text()).toBe('Data sources and licences · OmniMediaTrak');
    expect($('body').attr('data-page')).toBe('about-data');
  });

  it('credits every adapter’s source: its homepage, its licences with links, the credit and the changes', async () => {
    const $ = await loadDataPage();
    const shown = $('section[data-source]')
      .map((_, section) => $(section).attr('data-source'))
      .get();
    expect(shown).toEqual(catalogSources().map((source) => source.name));
    for (const adapter of ADAPTERS) {
      const source = catalogSources().find((candidate) => candidate.name === adapter.name)!;
      const { section, facts } = factsOf($, adapter.name);
      const heading = section.find('h2');
      expect(heading.find('a').attr('href')).toBe(adapter.homepage);
      expect(heading.text().trim()).toBe(source.title);
      for (const licence of source.licences) {
        expect(section.find(`.source-licence a[href="${licence.url}"]`).text()).toBe(licence.name);
      }
      expect(facts.Credit).toBe(source.credit);
      expect(facts['Our changes']).toBe(source.changes);
      expect(facts.Supplies).toBe(source.supplies);
    }
  });

  it('notes share-alike on the CC BY-SA sources, and only there', async () => {
    const $ = await loadDataPage();
    for (const source of catalogSources()) {
      const { facts } = factsOf($, source.name);
      const byShareAlike = source.licences.some((licence) => licence.name === 'CC BY-SA 4.0');
      expect('Share-alike' in facts).toBe(byShareAlike);
    }
    expect(factsOf($, 'goodbooks-10k').facts['Share-alike']).toMatch(/under CC BY-SA 4\.0 as well/);
    expect($('.intro').text()).toMatch(/goodbooks-10k, .*and libretro-database/);
  });

  it('shows how many works carry each source’s own id, as the database counts them', async () => {
    const { knex } = seeded.db;
    const counted = async (keyName: string) =>
      Number(
        (await knex('media.external_links').where({ source_name: keyName }).count<{ n: string }[]>('* as n'))[0]!.n,
      );
    const keyed = catalogSources().filter((source) => source.keyName !== null);
    // One more work for the first source, so the figure is read, not remembered.
    const first = keyed[0]!;
    const [work] = await knex('media.media')
      .insert({ media_type: 'book', media_class: 'written.book', title: 'A work only this test describes' })
      .returning<{ id: string }[]>('id');
    await knex('media.external_links').insert({
      media_id: work!.id,
      source_name: first.keyName,
      external_key: 'about-data-test',
    });

    const $ = await loadDataPage();
    for (const source of keyed) {
      const expected = await counted(source.keyName!);
      const works = factsOf($, source.name).section.find('.source-works');
      expect(works.attr('data-works')).toBe(String(expected));
      expect(works.text()).toBe(
        expected === 0
          ? 'No title carries its id yet.'
          : `${expected.toLocaleString('en')} ${expected === 1 ? 'title carries' : 'titles carry'} its id.`,
      );
    }
    expect(await counted(first.keyName!)).toBeGreaterThan(0);
    // A source with no ids of its own (an id map, a list of sequels) only adds to other works.
    for (const source of catalogSources().filter((candidate) => candidate.keyName === null)) {
      expect(factsOf($, source.name).facts['In this catalog']).toMatch(/not counted/);
    }
  });

  it('shows each source’s newest succeeded catalog load, and says so when it never had one', async () => {
    const { knex } = seeded.db;
    const [loaded, never] = ADAPTERS.map((adapter) => adapter.name);
    await knex('ingest.import_jobs').whereIn('source_name', [loaded!, never!]).delete();
    const user = await createUser(knex);
    await addJob(loaded!, { status: 'succeeded', finished_at: '2026-03-04T05:06:07Z' });
    await addJob(loaded!, { status: 'succeeded', finished_at: '2025-01-01T00:00:00Z' });
    // Newer, but none of them loaded the catalog: a failure, a dry run, a user's own import.
    await addJob(loaded!, { status: 'failed', finished_at: '2026-06-01T00:00:00Z' });
    await addJob(loaded!, { status: 'succeeded', dry_run: true, finished_at: '2026-06-02T00:00:00Z' });
    await addJob(loaded!, { status: 'succeeded', user_id: user.id, finished_at: '2026-06-03T00:00:00Z' });
    await addJob(never!, { status: 'failed', finished_at: '2026-06-01T00:00:00Z' });

    const $ = await loadDataPage();
    const time = factsOf($, loaded!).section.find('.source-loaded time');
    expect(time.attr('datetime')).toBe('2026-03-04T05:06:07.000Z');
    expect(time.text()).toBe('4 Mar 2026, 05:06 UTC');
    expect(factsOf($, never!).facts['Last loaded']).toMatch(/^Never loaded on its own yet\./);
    expect(factsOf($, never!).section.find('.source-loaded time')).toHaveLength(0);
  });

  it('links to itself from every page’s footer', async () => {
    for (const path of ['/', '/catalog', '/login', '/no-such-page']) {
      const response = await request(seeded.app).get(path);
      const $ = cheerio.load(response.text);
      const link = $('footer a[href="/about/data"]');
      expect(link.text()).toBe('Data sources and licences');
      expect(link.attr('aria-current')).toBeUndefined();
    }
    const $ = await loadDataPage();
    expect($('footer a[href="/about/data"]').attr('aria-current')).toBe('page');
  });
});
