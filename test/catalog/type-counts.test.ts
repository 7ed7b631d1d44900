import * as cheerio from 'cheerio';
import type { Express } from 'express';
import request from 'supertest';
import { inSentence, joined } from '../../src/catalog/type-choices';
import { createTestApp } from '../support/app';
import { createSeededDatabase, type TestDatabase } from '../support/database';

/**
 * The type filter's menu says how many titles each type has in the whole catalog, and a type
 * with none (the seed has no manga, web novels, visual novels or podcasts) explains itself
 * instead of "Nothing matches": alone, or named above the results of the other types chosen.
 */

interface TypeCount {
  mediaType: string;
  pluralLabel: string;
  titles: number;
}

describe('the catalog type filter with counts', () => {
  let db: TestDatabase;
  let app: Express;

  beforeAll(async () => {
    db = await createSeededDatabase();
    app = createTestApp(db.knex);
  });

  afterAll(async () => {
    await db.drop();
  });

  /** Every type with its titles, counted from media.media itself, in the menu's order. */
  const typeCounts = async (): Promise<TypeCount[]> => {
    const { rows } = await db.knex.raw<{ rows: TypeCount[] }>(
      `select t.media_type as "mediaType", t.plural_label as "pluralLabel", count(m.id)::int as titles
         from media.media_types t left join media.media m on m.media_type = t.media_type
        group by t.media_type, t.plural_label, t.position order by t.position`,
    );
    return rows;
  };
  /** The seed's types with titles and without, as the database counts them (never hard-coded). */
  const seededTypes = async () => {
    const counts = await typeCounts();
    const full = counts.filter((type) => type.titles > 0);
    const empty = counts.filter((type) => type.titles === 0);
    // The tests below need both kinds; the seed has no manga, web novels, visual novels or podcasts.
    expect(full.length).toBeGreaterThan(1);
    expect(empty.length).toBeGreaterThan(1);
    return { counts, full, empty };
  };

  const get = (url: string) => request(app).get(url);
  const load = async (url: string, htmx = false) => {
    const response = htmx ? await get(url).set('HX-Request', 'true') : await get(url);
    expect(response.status).toBe(200);
    return cheerio.load(response.text);
  };
  const typeMenu = ($: cheerio.CheerioAPI) =>
    $('#type-0')
      .closest('fieldset')
      .find('input[name="type"]')
      .map((_, input) => ({
        value: $(input).attr('value'),
        label: $(`label[for="${$(input).attr('id')}"]`).text(),
        disabled: $(input).attr('disabled') !== undefined,
      }))
      .get();
  const expectedLabel = (type: TypeCount) =>
    `${type.pluralLabel} (${type.titles > 0 ? type.titles.toLocaleString('en') : 'none yet'})`;

  it("labels each type with its number of titles in the whole catalog, and an empty one 'none yet'", async () => {
    const { counts } = await seededTypes();
    const $ = await load('/catalog');
    expect(typeMenu($)).toEqual(
      counts.map((type) => ({ value: type.mediaType, label: expectedLabel(type), disabled: false })),
    );
    // The count is inside the label, where a screen reader reads it with the name.
    expect($('label[for="type-0"] .choice-count').text()).toMatch(/^\((\d{1,3}(,\d{3})*|none yet)\)$/);
    // The other filters' menus have no counts.
    expect($('label[for="class-0"] .choice-count')).toHaveLength(0);
  });

  it('counts the whole catalog whatever the other filters and the search', async () => {
    const { counts, full } = await seededTypes();
    const $ = await load(`/catalog?type=${full[0]!.mediaType}&genre=Drama&from=2000&q=love`);
    expect(typeMenu($).map((choice) => choice.label)).toEqual(counts.map(expectedLabel));
  });

  it('explains a type with no titles instead of "Nothing matches", on the page and in the htmx fragment', async () => {
    const { empty } = await seededTypes();
    for (const type of empty) {
      const url = `/catalog?type=${type.mediaType}`;
      for (const htmx of [false, true]) {
        const $ = await load(url, htmx);
        const name = inSentence(type.pluralLabel);
        expect($('#result-count').text()).toBe(`There are no ${name} in the catalog yet.`);
        expect($('body').text()).not.toContain('Nothing matches');
        const explanation = $('.empty-types');
        expect(explanation).toHaveLength(1);
        expect(explanation.text()).toContain(`Titles can't be added from the site yet, so ${name} can't be tracked`);
        expect(explanation.find('a').attr('href')).toBe('/about/data');
        expect(explanation.find('a').text()).toBe('where the catalog comes from');
        expect($('table')).toHaveLength(0);
        if (htmx) {
          // Inside what the swap replaces, and said by the live region.
          expect($('.controls-bar')).toHaveLength(0);
          const status = $('#results-status[hx-swap-oob="innerHTML"]').text();
          expect(status).toContain(`There are no ${name} in the catalog yet.`);
          expect(status).toContain("Titles can't be added from the site yet");
        } else {
          expect($('#results .empty-types')).toHaveLength(1);
          // Still chosen in the menu, and still choosable.
          expect($(`input[name="type"][value="${type.mediaType}"]`).attr('checked')).toBeDefined();
        }
      }
    }
    if (empty.some((type) => type.mediaType === 'manga')) {
      expect((await load('/catalog?type=manga'))('.empty-types').text()).toContain(
        'We found no openly licensed list of manga to ship with the catalog.',
      );
    }
  });

  it('names every chosen type when all of them are empty', async () => {
    const { empty } = await seededTypes();
    const [first, second] = empty;
    const $ = await load(`/catalog?type=${first!.mediaType}&type=${second!.mediaType}`);
    const names = [first!, second!].map((type) => inSentence(type.pluralLabel));
    expect($('#result-count').text()).toBe(`There are no ${names[0]} or ${names[1]} in the catalog yet.`);
    expect($('.empty-types').text()).toContain(`so ${names[0]} and ${names[1]} can't be tracked here for now`);
  });

  it('names the chosen types that have none above the results of the others', async () => {
    const { full, empty } = await seededTypes();
    const [withTitles] = full;
    const [without] = empty;
    const url = `/catalog?type=${withTitles!.mediaType}&type=${without!.mediaType}`;
    const note = `There are no ${inSentence(without!.pluralLabel)} in the catalog yet, so only ${inSentence(withTitles!.pluralLabel)} can match.`;
    for (const htmx of [false, true]) {
      const $ = await load(url, htmx);
      expect($('#result-count').text()).toMatch(new RegExp(`^1–\\d+ of ${withTitles!.titles.toLocaleString('en')}$`));
      const notice = $('.empty-types');
      expect(notice.text()).toBe(`${note} See where the catalog comes from.`);
      expect(notice.find('a').attr('href')).toBe('/about/data');
      // Above the table of results.
      expect(notice.nextAll('.table-wrap').find('#rows tr').length).toBeGreaterThan(0);
      if (htmx) expect($('#results-status').text()).toContain(note);
    }
    // Nothing of the other type matches either: "Nothing matches", and why only it could have.
    const $ = await load(`${url}&q=zzzzqqqqxxxx`);
    expect($('#result-count').text()).toContain('Nothing matches');
    expect($('.empty-types').text()).toContain(note);
  });

  it('says nothing of empty types when none chosen is empty', async () => {
    const { full } = await seededTypes();
    const $ = await load(`/catalog?type=${full[0]!.mediaType}&type=${full[1]!.mediaType}`);
    expect($('.empty-types')).toHaveLength(0);
    expect((await load('/catalog?q=zzzzqqqqxxxx'))('#result-count').text()).toBe('Nothing matches “zzzzqqqqxxxx”.');
  });

  it('counts a title of an empty type as soon as it is added, and stops explaining', async () => {
    const { empty } = await seededTypes();
    const type = empty[0]!;
    const [added] = await db
      .knex('media.media')
      .insert({
        media_type: type.mediaType,
        media_class: db.knex.raw('(select default_class from media.media_types where media_type = ?)', [
          type.mediaType,
        ]),
        title: 'Type count test title',
      })
      .returning<{ id: string }[]>('id');
    try {
      const menu = typeMenu(await load('/catalog'));
      expect(menu.find((choice) => choice.value === type.mediaType)?.label).toBe(`${type.pluralLabel} (1)`);
      const $ = await load(`/catalog?type=${type.mediaType}`);
      expect($('#result-count').text()).toBe('1–1 of 1');
      expect($('.empty-types')).toHaveLength(0);
    } finally {
      await db.knex('media.media').where('id', added!.id).delete();
    }
  });

  it('writes type names as a sentence does', () => {
    expect(inSentence('Web novels')).toBe('web novels');
    expect(inSentence('Manga')).toBe('manga');
    expect(inSentence('TV series')).toBe('TV series');
    expect(joined(['manga'], 'or')).toBe('manga');
    expect(joined(['manga', 'podcasts'], 'or')).toBe('manga or podcasts');
    expect(joined(['books', 'games', 'anime'], 'and')).toBe('books, games and anime');
  });
});
