import { changesTo, mayWrite, releaseDate } from '../../src/ingest/fields';
import { decide, decideIds, type Known, type TitleCandidate } from '../../src/ingest/matching';
import type { IngestRecord } from '../../src/ingest/source';

// The rules of one record per work, without a database: test/ingest/pipeline.test.ts runs them on one.

const record = (fields: Partial<IngestRecord> = {}): IngestRecord => ({
  key: 'k1',
  mediaType: 'anime',
  mediaClass: 'video.series.anime',
  title: 'Mushishi',
  originalTitle: null,
  otherTitles: [],
  releaseDate: '2005-10-23',
  country: null,
  creators: [],
  attributes: {},
  externalIds: {},
  ...fields,
});

function known(
  ids: Record<string, string> = {},
  candidates: TitleCandidate[] = [],
  sourceKeys: Record<string, string> = {},
): Known {
  return {
    workOfId: (id) => ids[id],
    sourceKeyOf: (work) => sourceKeys[work],
    candidates,
  };
}

const candidate = (mediaId: string, fields: Partial<TitleCandidate> = {}): TitleCandidate => ({
  mediaId,
  mediaType: 'anime',
  year: 2005,
  sourceKey: null,
  ...fields,
});

describe('which work a record is', () => {
  it('is the work its own key named before, whatever its titles say', () => {
    expect(decide(record(), 'bangumi', known({ 'bangumi:k1': 'w1' }, [candidate('w2')]))).toEqual({
      kind: 'match',
      mediaId: 'w1',
      by: 'key',
      conflicts: [],
    });
  });

  it('is the work one of its ids names, and an id naming another work is a conflict', () => {
    const ids = { 'mal:1': 'w1', 'anidb:9': 'w2' };
    const sourceKeys = { w2: 'other-key' };
    expect(decide(record({ externalIds: { mal: '1', anidb: '9' } }), 'bangumi', known(ids, [], sourceKeys))).toEqual({
      kind: 'match',
      mediaId: 'w1',
      by: 'id',
      conflicts: [{ reason: 'id_on_two_works', mediaId: 'w2', externalId: 'anidb:9' }],
    });
  });

  it('is a new work when its ids name several works', () => {
    const decision = decide(
      record({ externalIds: { mal: '1', anidb: '9' } }),
      'bangumi',
      known({ 'mal:1': 'w1', 'anidb:9': 'w2' }),
    );
    expect(decision).toEqual({
      kind: 'new',
      conflicts: [
        { reason: 'ids_name_several_works', mediaId: 'w1' },
        { reason: 'ids_name_several_works', mediaId: 'w2' },
      ],
    });
  });

  it('is the one work with its title, type and year; never one its source already describes', () => {
    expect(decide(record(), 'bangumi', known({}, [candidate('w1'), candidate('w1')]))).toMatchObject({
      kind: 'match',
      mediaId: 'w1',
      by: 'title',
    });
    expect(decide(record(), 'bangumi', known({}, [candidate('w1', { sourceKey: 'k0' })]))).toEqual({
      kind: 'new',
      conflicts: [],
    });
  });

  it('keeps near misses apart as conflicts: two works, a year off by one, another type', () => {
    expect(
      decide(record(), 'bangumi', known({}, [candidate('w1'), candidate('w2')])).conflicts.map((c) => c.reason),
    ).toEqual(['ambiguous_title', 'ambiguous_title']);
    expect(
      decide(record(), 'bangumi', known({}, [candidate('w1', { year: 2006 }), candidate('w2', { year: 2007 })])),
    ).toEqual({
      kind: 'new',
      conflicts: [{ reason: 'year_off_by_one', mediaId: 'w1' }],
    });
    expect(decide(record(), 'bangumi', known({}, [candidate('w1', { mediaType: 'tv' })]))).toEqual({
      kind: 'new',
      conflicts: [{ reason: 'type_mismatch', mediaId: 'w1' }],
    });
  });

  it('matches a record dated by its latest release to the one work of its title and type from then or before', () => {
    // Netflix dates a series by its newest season: One Piece (1999) is on Netflix as 2002.
    const series = record({ title: 'One Piece', releaseDate: '2002', dateIs: 'latest' });
    expect(decide(series, 'netflix', known({}, [candidate('w1', { year: 1999 })]))).toMatchObject({
      kind: 'match',
      mediaId: 'w1',
      by: 'title',
    });
    expect(decide(series, 'netflix', known({}, [candidate('w1', { year: 2010 })]))).toEqual({
      kind: 'new',
      conflicts: [],
    });
    expect(decide(series, 'netflix', known({}, [candidate('w1', { year: 1999, mediaType: 'tv' })]))).toMatchObject({
      kind: 'new',
    });
    expect(
      decide(series, 'netflix', known({}, [candidate('w1', { year: 1999 }), candidate('w2', { year: 1990 })])),
    ).toEqual({
      kind: 'new',
      conflicts: [
        { reason: 'ambiguous_title', mediaId: 'w1' },
        { reason: 'ambiguous_title', mediaId: 'w2' },
      ],
    });
    // A record dated by its first release keeps to its year.
    expect(decide(record({ releaseDate: '2002' }), 'netflix', known({}, [candidate('w1', { year: 1999 })]))).toEqual({
      kind: 'new',
      conflicts: [],
    });
  });

  it('matches a record without a year only to a work without one', () => {
    expect(decide(record({ releaseDate: null }), 'bangumi', known({}, [candidate('w1')]))).toEqual({
      kind: 'new',
      conflicts: [],
    });
    expect(
      decide(record({ releaseDate: null }), 'bangumi', known({}, [candidate('w1', { year: null })])),
    ).toMatchObject({ kind: 'match' });
  });
});

describe('what a record may write', () => {
  it('reads a partial date with its precision', () => {
    expect(releaseDate('1999')).toEqual({ release_date: '1999-01-01', release_date_precision: 'year' });
    expect(releaseDate('1999-03')).toEqual({ release_date: '1999-03-01', release_date_precision: 'month' });
    expect(releaseDate('1999-03-31')).toEqual({ release_date: '1999-03-31', release_date_precision: 'day' });
    expect(releaseDate('soon')).toEqual({ release_date: null, release_date_precision: 'day' });
  });

  it('writes what nobody supplied or it supplied itself; over another source only when ranked above it', () => {
    expect(mayWrite('creators', 'netflix-titles', undefined)).toBe(true);
    expect(mayWrite('creators', 'netflix-titles', 'netflix-titles')).toBe(true);
    expect(mayWrite('creators', 'netflix-titles', 'wikipedia-movie-data')).toBe(false);
    expect(mayWrite('creators', 'wikipedia-movie-data', 'netflix-titles')).toBe(true);
    expect(mayWrite('title', 'netflix-titles', 'bangumi-data')).toBe(true);
    expect(mayWrite('title', 'bangumi-data', 'netflix-titles')).toBe(false);
    expect(mayWrite('creators', 'a-source-nobody-ranks', 'netflix-titles')).toBe(false);
  });

  it('changes only what differs, and nothing at all for the same record again', () => {
    const work = {
      title: 'Mushishi',
      original_title: null,
      release_date: '2005-10-23',
      release_date_precision: 'day' as const,
      country_of_origin: null,
      creators: [],
      attributes: { episodes: 26 },
      field_sources: { title: 'bangumi-data', release_date: 'bangumi-data', 'attributes.episodes': 'bangumi-data' },
    };
    expect(changesTo(work, record({ attributes: { episodes: 26 } }), 'bangumi-data')).toBeNull();
    expect(changesTo(work, record({ attributes: { episodes: 27 } }), 'bangumi-data')).toEqual({
      changes: { attributes: { episodes: 27 } },
      sources: work.field_sources,
    });
    expect(changesTo(work, record({ releaseDate: '2005' }), 'bangumi-data')).toEqual({
      changes: { release_date: '2005-01-01', release_date_precision: 'year' },
      sources: work.field_sources,
    });
  });
});

describe('which work an ids-only record names', () => {
  const works: Record<string, string> = { 'mal:1': 'w1', 'anilist:1': 'w1', 'anilist:2': 'w2', 'annict:9': 'w2' };
  const workOfId = (id: string) => works[id];

  it('is the one its first id that names a work names, and it gains the ids that name none', () => {
    expect(decideIds({ mal: '1', anilist: '1', annict: '5', syobocal: '6' }, workOfId)).toEqual({
      mediaId: 'w1',
      links: [
        { name: 'annict', value: '5' },
        { name: 'syobocal', value: '6' },
      ],
      conflicts: [],
    });
    // An unknown MAL id: the AniList id names the work, which gains the MAL id.
    expect(decideIds({ mal: '7', anilist: '2' }, workOfId)).toEqual({
      mediaId: 'w2',
      links: [{ name: 'mal', value: '7' }],
      conflicts: [],
    });
  });

  it('leaves an id that names another work with it, as a conflict', () => {
    expect(decideIds({ mal: '1', anilist: '2', annict: '9', syobocal: '3' }, workOfId)).toEqual({
      mediaId: 'w1',
      links: [{ name: 'syobocal', value: '3' }],
      conflicts: [
        { reason: 'id_on_two_works', mediaId: 'w2', externalId: 'anilist:2' },
        { reason: 'id_on_two_works', mediaId: 'w2', externalId: 'annict:9' },
      ],
    });
  });

  it('is none when no id names a work: nothing is linked', () => {
    expect(decideIds({ mal: '8', annict: '8' }, workOfId)).toEqual({ mediaId: null, links: [], conflicts: [] });
  });
});
