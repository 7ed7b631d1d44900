import {
  clearedTableQuery,
  columnsAt,
  readTableQuery,
  sortFields,
  tableBadges,
  tableColumns,
  tableQueryUrl,
  type BadgeLabels,
  type TableDefinition,
  type TableQuery,
} from '../../src/tables/definition';
import { labelled, namesFilter, yearsFilter } from '../../src/tables/filters';
import { CATALOG_TABLE, parseCatalogQuery, type CatalogVocabulary } from '../../src/catalog/validation';
import { LIST_TABLE, parseListQuery } from '../../src/list/table';

// A table described once, without a database: a small "history" table of the test's own, read
// from a query string, written back to a URL, cleared, badged, sorted and given its columns.

type HistorySort = 'when' | 'title';
type HistoryColumn = 'type' | 'notes';

interface HistoryQuery extends TableQuery<HistorySort, HistoryColumn> {
  kinds: string[];
  from: number | null;
  to: number | null;
}

interface HistoryKnown {
  kinds: readonly string[];
}

const kinds = namesFilter<HistoryQuery, HistoryKnown, 'kinds'>({
  key: 'kinds',
  param: 'kind',
  what: 'kind of event',
  known: (known) => known.kinds,
  badge: labelled('Kind', 'kinds'),
});
const years = yearsFilter<HistoryQuery, HistoryKnown>();

const HISTORY: TableDefinition<HistoryQuery, HistoryKnown, HistoryColumn> = {
  path: '/history',
  filters: [kinds, years],
  sorts: () => ['when', 'title'],
  defaultSort: () => 'when',
  defaultDirection: (sort) => (sort === 'when' ? 'desc' : 'asc'),
  columns: ['type', 'notes'],
  defaultColumns: ['type'],
};

/** The same table with its badges the other way round from its parameters. */
const YEARS_FIRST: TableDefinition<HistoryQuery, HistoryKnown, HistoryColumn> = {
  ...HISTORY,
  badgeOrder: [years, kinds],
};

const KNOWN: HistoryKnown = { kinds: ['film', 'book', 'game'] };
const LABELS: BadgeLabels = { kinds: new Map([['film', 'Films']]) };

const DEFAULTS: HistoryQuery = {
  q: '',
  kinds: [],
  from: null,
  to: null,
  columns: null,
  sort: 'when',
  direction: 'desc',
  page: 1,
};

const read = (raw: Record<string, unknown>) => readTableQuery(HISTORY, raw, KNOWN);
const state = (changes: Partial<HistoryQuery> = {}): HistoryQuery => ({ ...DEFAULTS, ...changes });

/** A URL's query string as Express hands it over: one string per name, or an array when repeated. */
function queryOf(url: string): Record<string, string | string[]> {
  const params = new URL(url, 'http://omt.invalid').searchParams;
  return Object.fromEntries(
    [...new Set(params.keys())].map((key) => {
      const values = params.getAll(key);
      return [key, values.length === 1 ? values[0]! : values];
    }),
  );
}

describe('reading a table’s state from its query string', () => {
  it('reads nothing as the defaults, each sort in its own first direction', () => {
    expect(read({})).toEqual({ query: DEFAULTS, notes: [] });
  });

  it('keeps the known names once each, in the order asked, and says when one was left out', () => {
    expect(read({ kind: ['game', 'film', 'game'] })).toEqual({ query: state({ kinds: ['game', 'film'] }), notes: [] });
    const unknown = read({ kind: ['film', 'opera', 'film'] });
    expect(unknown.query.kinds).toEqual(['film']);
    expect(unknown.notes).toEqual(['An unknown kind of event was left out of the filter.']);
    expect(read({ kind: 'book' }).query.kinds).toEqual(['book']);
  });

  it('puts years the wrong way round the right way, and reads a decade', () => {
    expect(read({ from: '2001', to: '1990' })).toEqual({
      query: state({ from: 1990, to: 2001 }),
      notes: ['The years were the wrong way round; showing 1990 to 2001.'],
    });
    expect(read({ decade: '1980s' }).query).toMatchObject({ from: 1980, to: 1989 });
    // The decade stands for both ends, whatever from and to say.
    expect(read({ decade: '1970', from: '2000', to: '2010' }).query).toMatchObject({ from: 1970, to: 1979 });
    expect(read({ from: '1700' })).toEqual({
      query: DEFAULTS,
      notes: ['"1700" is not a year between 1800 and 2100; the earliest year was left out.'],
    });
  });

  it('falls back to the default sort, and its direction, for a sort the table does not have', () => {
    expect(read({ sort: 'rating' })).toEqual({
      query: DEFAULTS,
      notes: ['Sorting by "rating" is not possible; the list is sorted by when.'],
    });
  });

  it('takes the sort’s own direction when the URL names none, and ascending when it names nonsense', () => {
    expect(read({ sort: 'title' }).query).toMatchObject({ sort: 'title', direction: 'asc' });
    expect(read({ sort: 'when' }).query).toMatchObject({ sort: 'when', direction: 'desc' });
    expect(read({ sort: 'title', dir: 'desc' }).query).toMatchObject({ sort: 'title', direction: 'desc' });
    expect(read({ dir: 'asc' }).query).toMatchObject({ sort: 'when', direction: 'asc' });
    expect(read({ dir: 'sideways' })).toEqual({
      query: state({ direction: 'asc' }),
      notes: ['The sort direction was not understood; ascending is used.'],
    });
  });

  it('keeps the page between the first and the last', () => {
    expect(read({ page: '3' }).query.page).toBe(3);
    expect(read({ page: '999' })).toEqual({
      query: state({ page: 200 }),
      notes: ['Pages past 200 are not shown: search or filter to narrow the list.'],
    });
    expect(read({ page: '0' })).toEqual({
      query: DEFAULTS,
      notes: ['There is no page "0"; this is the first page.'],
    });
    expect(read({ page: '-2' }).query.page).toBe(1);
  });

  it('reads the columns from col, col=none and a form’s columns=chosen, in the table’s order', () => {
    expect(read({}).query.columns).toBeNull();
    expect(read({ col: 'notes' }).query.columns).toEqual(['notes']);
    expect(read({ col: ['notes', 'type'] }).query.columns).toEqual(['type', 'notes']);
    expect(read({ col: 'none' }).query.columns).toEqual([]);
    // A form with every box cleared sends no col at all.
    expect(read({ columns: 'chosen' }).query.columns).toEqual([]);
    expect(read({ columns: 'chosen', col: 'notes' }).query.columns).toEqual(['notes']);
    expect(read({ col: ['notes', 'rating'] })).toEqual({
      query: state({ columns: ['notes'] }),
      notes: ['An unknown column was left out.'],
    });
  });

  it('notes what it dropped in order: the search, the filters in their order, columns, sort, direction, page', () => {
    const { notes } = read({
      page: 'x',
      dir: 'up',
      sort: 'rating',
      col: 'rating',
      to: '1990',
      from: '2000',
      kind: 'opera',
      q: 'a\u0000b',
    });
    expect(notes).toEqual([
      'The search held a control character (such as NUL) and was left out.',
      'An unknown kind of event was left out of the filter.',
      'The years were the wrong way round; showing 1990 to 2000.',
      'An unknown column was left out.',
      'Sorting by "rating" is not possible; the list is sorted by when.',
      'The sort direction was not understood; ascending is used.',
      'There is no page "x"; this is the first page.',
    ]);
  });

  it('never throws, whatever shape the values come in', () => {
    const odd = { q: { a: 1 }, kind: [1, {}, 'book'], from: {}, to: ['1995', '2000'], sort: ['title', 'when'] };
    expect(read(odd).query).toEqual(state({ kinds: ['book'], to: 1995, sort: 'title', direction: 'asc' }));
    expect(() => read({ page: ['2'], col: [null], dir: 7, decade: [] })).not.toThrow();
  });
});

describe('the URL of a table’s state', () => {
  it('leaves the defaults out', () => {
    expect(tableQueryUrl(HISTORY, DEFAULTS)).toBe('/history');
    // Each sort's own first direction is its default.
    expect(tableQueryUrl(HISTORY, state({ sort: 'title', direction: 'asc' }))).toBe('/history?sort=title');
    expect(tableQueryUrl(HISTORY, state({ sort: 'when', direction: 'asc' }))).toBe('/history?dir=asc');
  });

  it('writes the search first, then the filters in their order, the columns, the sort, the direction and the page', () => {
    const full = state({
      q: 'dune',
      kinds: ['film', 'book'],
      from: 1990,
      to: 1999,
      columns: ['notes'],
      sort: 'title',
      direction: 'desc',
      page: 3,
    });
    expect(tableQueryUrl(HISTORY, full)).toBe(
      '/history?q=dune&kind=film&kind=book&from=1990&to=1999&col=notes&sort=title&dir=desc&page=3',
    );
    expect(tableQueryUrl(HISTORY, full, { page: 1, kinds: [] })).toBe(
      '/history?q=dune&from=1990&to=1999&col=notes&sort=title&dir=desc',
    );
    expect(tableQueryUrl(HISTORY, state({ columns: [] }))).toBe('/history?col=none');
    expect(tableQueryUrl(HISTORY, state({ q: 'war & peace', to: 1900 }))).toBe('/history?q=war+%26+peace&to=1900');
  });

  it.each<[string, Partial<HistoryQuery>]>([
    ['the defaults', {}],
    [
      'everything',
      {
        q: 'dune',
        kinds: ['game', 'film'],
        from: 1990,
        to: 1995,
        columns: ['type', 'notes'],
        sort: 'title',
        direction: 'desc',
        page: 7,
      },
    ],
    ['no columns and a search with symbols', { q: 'war & peace? 100%', columns: [], page: 200 }],
    ['one end of the years, ascending by when', { from: 2000, direction: 'asc' }],
    ['the other end, by title', { to: 1850, sort: 'title', direction: 'asc', kinds: ['book'] }],
  ])('reads %s back to the same state', (_name, changes) => {
    const original = state(changes);
    expect(read(queryOf(tableQueryUrl(HISTORY, original)))).toEqual({ query: original, notes: [] });
  });
});

describe('clearing a table', () => {
  it('turns every filter and the search off and goes to page 1, keeping the sort and the columns', () => {
    const full = state({
      q: 'dune',
      kinds: ['film'],
      from: 1990,
      to: 1999,
      columns: ['notes'],
      sort: 'title',
      direction: 'desc',
      page: 4,
    });
    const cleared = clearedTableQuery(HISTORY, full);
    expect(cleared).toEqual({ kinds: [], from: null, to: null, q: '', sort: 'title', page: 1 });
    expect(tableQueryUrl(HISTORY, full, cleared)).toBe('/history?col=notes&sort=title&dir=desc');
  });

  it('sorts the catalog by title once the search a relevance sort needs is cleared', () => {
    const known: CatalogVocabulary = { types: ['book', 'movie'], classes: [], genres: ['drama'], signedIn: true };
    const searched = parseCatalogQuery({ q: 'dune', type: 'book', genre: 'drama', list: 'in', col: 'genres' }, known);
    expect(searched.query.sort).toBe('relevance');
    const cleared = clearedTableQuery(CATALOG_TABLE, searched.query);
    expect(cleared).toMatchObject({ q: '', sort: 'title', types: [], genres: [], list: null, page: 1 });
    expect(tableQueryUrl(CATALOG_TABLE, searched.query, cleared)).toBe('/catalog?col=genres');
    // A sort that needs no search stays.
    const byYear = parseCatalogQuery({ q: 'dune', sort: 'year', dir: 'desc' }, known).query;
    expect(clearedTableQuery(CATALOG_TABLE, byYear).sort).toBe('year');
    expect(tableQueryUrl(CATALOG_TABLE, byYear, clearedTableQuery(CATALOG_TABLE, byYear))).toBe(
      '/catalog?sort=year&dir=desc',
    );
  });

  it('turns off every one of the list’s filters, its own ratings among them', () => {
    const { query } = parseListQuery(
      {
        status: 'completed',
        type: 'book',
        class: 'written',
        from: '1990',
        rating_from: '3',
        rating_to: '4',
        sort: 'year',
      },
      { types: ['book'], classes: ['written'], scale: 'five_star' },
    );
    expect(query).toMatchObject({ statuses: ['completed'], types: ['book'], ratingFrom: 3, ratingTo: 4 });
    expect(tableQueryUrl(LIST_TABLE, query, clearedTableQuery(LIST_TABLE, query))).toBe('/list?sort=year');
  });
});

describe('a table’s badges', () => {
  const full = state({
    q: 'dune',
    kinds: ['film', 'book'],
    from: 1990,
    to: 1999,
    columns: ['notes'],
    sort: 'title',
    direction: 'asc',
    page: 4,
  });
  const badges = (table: typeof HISTORY, query: HistoryQuery) =>
    tableBadges(table, query, { labels: LABELS, known: KNOWN });

  it('has none for a table with no search and no filter on', () => {
    expect(badges(HISTORY, state({ columns: ['notes'], sort: 'title', page: 3 }))).toEqual([]);
  });

  it('shows the search first, then each filter’s values in the filters’ order, each removed on page 1', () => {
    expect(badges(HISTORY, full)).toEqual([
      { label: 'Search: dune', removeUrl: '/history?kind=film&kind=book&from=1990&to=1999&col=notes&sort=title' },
      { label: 'Kind: Films', removeUrl: '/history?q=dune&kind=book&from=1990&to=1999&col=notes&sort=title' },
      // A name the labels do not know is shown as itself.
      { label: 'Kind: book', removeUrl: '/history?q=dune&kind=film&from=1990&to=1999&col=notes&sort=title' },
      { label: 'Released: 1990s', removeUrl: '/history?q=dune&kind=film&kind=book&col=notes&sort=title' },
    ]);
  });

  it('follows badgeOrder when the table gives one', () => {
    expect(badges(YEARS_FIRST, full).map((badge) => badge.label)).toEqual([
      'Search: dune',
      'Released: 1990s',
      'Kind: Films',
      'Kind: book',
    ]);
    // Only the order changes, not what a badge takes away.
    expect(badges(YEARS_FIRST, full)[1]!.removeUrl).toBe('/history?q=dune&kind=film&kind=book&col=notes&sort=title');
  });

  it('labels the years as the range they are', () => {
    expect(badges(HISTORY, state({ from: 1990 }))).toEqual([{ label: 'Released: from 1990', removeUrl: '/history' }]);
    expect(badges(HISTORY, state({ to: 1995, page: 2 }))).toEqual([
      { label: 'Released: until 1995', removeUrl: '/history' },
    ]);
    expect(badges(HISTORY, state({ from: 1990, to: 1995 }))[0]!.label).toBe('Released: 1990–1995');
  });

  it('labels names from the context the badges are drawn with', () => {
    const relabelled = tableBadges(HISTORY, state({ kinds: ['film', 'game'] }), {
      labels: { kinds: new Map([['game', 'Games']]) },
      known: KNOWN,
    });
    expect(relabelled.map((badge) => badge.label)).toEqual(['Kind: film', 'Kind: Games']);
    expect(labelled('Type', 'types')('book', { types: new Map([['book', 'Books']]) })).toBe('Type: Books');
    expect(labelled('Type', 'types')('book', {})).toBe('Type: book');
  });

  it('orders the catalog’s badges by its badgeOrder, and its search badge drops the relevance sort', () => {
    const known: CatalogVocabulary = { types: ['book'], classes: [], genres: ['drama'], signedIn: true };
    const { query } = parseCatalogQuery(
      { q: 'dune', type: 'book', genre: 'drama', from: '1990', to: '1995', list: 'in', page: '2' },
      known,
    );
    const catalogBadges = tableBadges(CATALOG_TABLE, query, {
      labels: { types: new Map([['book', 'Books']]) },
      known,
    });
    expect(catalogBadges).toEqual([
      { label: 'Search: dune', removeUrl: '/catalog?type=book&genre=drama&from=1990&to=1995&list=in' },
      { label: 'Type: Books', removeUrl: '/catalog?q=dune&genre=drama&from=1990&to=1995&list=in' },
      { label: 'Released: 1990–1995', removeUrl: '/catalog?q=dune&type=book&genre=drama&list=in' },
      { label: 'Genre: drama', removeUrl: '/catalog?q=dune&type=book&from=1990&to=1995&list=in' },
      { label: 'My list: In my list', removeUrl: '/catalog?q=dune&type=book&genre=drama&from=1990&to=1995' },
    ]);
  });
});

describe('the sort’s hidden fields', () => {
  it('are empty at the default sort in its own direction', () => {
    expect(sortFields(HISTORY, DEFAULTS)).toEqual([]);
    expect(sortFields(HISTORY, state({ kinds: ['film'], page: 3 }))).toEqual([]);
  });

  it('name the sort and the direction when they are not the defaults', () => {
    expect(sortFields(HISTORY, state({ sort: 'title', direction: 'asc' }))).toEqual([{ name: 'sort', value: 'title' }]);
    expect(sortFields(HISTORY, state({ sort: 'title', direction: 'desc' }))).toEqual([
      { name: 'sort', value: 'title' },
      { name: 'dir', value: 'desc' },
    ]);
    expect(sortFields(HISTORY, state({ direction: 'asc' }))).toEqual([{ name: 'dir', value: 'asc' }]);
  });

  it('take the catalog’s relevance as the default only with a search', () => {
    const known: CatalogVocabulary = { types: [], classes: [], genres: [], signedIn: false };
    expect(sortFields(CATALOG_TABLE, parseCatalogQuery({ q: 'dune' }, known).query)).toEqual([]);
    expect(sortFields(CATALOG_TABLE, parseCatalogQuery({}, known).query)).toEqual([]);
    expect(sortFields(CATALOG_TABLE, parseCatalogQuery({ q: 'dune', sort: 'title' }, known).query)).toEqual([
      { name: 'sort', value: 'title' },
    ]);
  });
});

describe('the columns a table shows', () => {
  it('takes the URL’s col choice over the saved one', () => {
    expect(columnsAt(HISTORY, '/history?col=notes', ['type'])).toEqual(['notes']);
    expect(columnsAt(HISTORY, '/history?q=dune&col=none&page=2', ['type', 'notes'])).toEqual([]);
    expect(columnsAt(HISTORY, '/history?col=notes&col=rating&col=type', null)).toEqual(['type', 'notes']);
  });

  it('takes the saved choice over the defaults, dropping columns the table does not have', () => {
    expect(columnsAt(HISTORY, '/history?q=dune', ['notes'])).toEqual(['notes']);
    expect(columnsAt(HISTORY, '/history', ['notes', 'rating', 'type'])).toEqual(['type', 'notes']);
    expect(columnsAt(HISTORY, '/history', [])).toEqual([]);
    expect(columnsAt(HISTORY, '/history', null)).toEqual(['type']);
  });

  it('reads the columns of the URL the table writes for a state', () => {
    expect(columnsAt(HISTORY, tableQueryUrl(HISTORY, state({ columns: [] })), ['type'])).toEqual([]);
    expect(columnsAt(HISTORY, tableQueryUrl(HISTORY, state({ columns: ['notes'], page: 2 })), null)).toEqual(['notes']);
  });

  it('gives a state’s columns in the same order of precedence', () => {
    expect(tableColumns(HISTORY, state({ columns: ['notes'] }), ['type'])).toEqual(['notes']);
    expect(tableColumns(HISTORY, state({ columns: [] }), ['type'])).toEqual([]);
    expect(tableColumns(HISTORY, DEFAULTS, ['notes', 'rating'])).toEqual(['notes']);
    const defaults = tableColumns(HISTORY, DEFAULTS, null);
    expect(defaults).toEqual(['type']);
    // A copy: whoever draws the page cannot change the table's defaults.
    expect(defaults).not.toBe(HISTORY.defaultColumns);
  });
});

describe('the catalog’s and the list’s definitions', () => {
  // A definition's state is put together from what its filters read: a filter left out of the
  // list would leave its fields undefined, which no type catches.
  it('read every field of their state, each filter its own', () => {
    const catalog = readTableQuery(CATALOG_TABLE, {}, { types: [], classes: [], genres: [], signedIn: true });
    expect(Object.keys(catalog.query).sort()).toEqual(
      ['classes', 'columns', 'direction', 'from', 'genres', 'list', 'page', 'q', 'sort', 'to', 'types'].sort(),
    );
    const list = readTableQuery(LIST_TABLE, {}, { types: [], classes: [], scale: 'ten_point' });
    expect(Object.keys(list.query).sort()).toEqual(
      [
        'classes',
        'columns',
        'direction',
        'from',
        'page',
        'q',
        'ratingFrom',
        'ratingTo',
        'sort',
        'statuses',
        'to',
        'types',
      ].sort(),
    );
    expect(Object.values(catalog.query)).not.toContain(undefined);
    expect(Object.values(list.query)).not.toContain(undefined);
  });

  it('badge every filter they read', () => {
    for (const table of [CATALOG_TABLE, LIST_TABLE] as TableDefinition<TableQuery, unknown>[]) {
      const badged = table.badgeOrder ?? table.filters;
      expect(badged).toHaveLength(table.filters.length);
      expect(new Set(badged)).toEqual(new Set(table.filters));
    }
  });
});
