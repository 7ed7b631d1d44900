import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { goodbooks } from '../../src/ingest/adapters/goodbooks';
import { rawDataDir } from '../../src/paths';
import { readAll } from '../support/ingest';

/**
 * The goodbooks-10k adapter, read over a small fixture in the dataset's own format (real lines of
 * books.csv, whole, and five made-up ones) and over the file shipped in seeds/data/raw.
 */

const fixtures = path.join(__dirname, 'fixtures');

const book = { mediaType: 'book', mediaClass: 'written.book', country: null };

describe('goodbooks-10k adapter', () => {
  it('describes the source and its one file', () => {
    expect(goodbooks).toMatchObject({
      name: 'goodbooks-10k',
      label: 'goodbooks-10k (Goodreads metadata)',
      homepage: 'https://github.com/zygmuntz/goodbooks-10k',
      licence: 'CC BY-SA 4.0',
      keyName: 'goodreads',
    });
    expect(goodbooks.defaultFiles('/raw')).toEqual([path.join('/raw', 'goodbooks-10k', 'books.csv.gz')]);
  });

  it('yields a book per row, its series out of its title, and reports the rows it cannot read', async () => {
    const { records, skips } = await readAll(goodbooks, [path.join(fixtures, 'goodbooks.csv.gz')]);
    expect(records).toEqual([
      {
        ...book,
        key: '2767052',
        title: 'The Hunger Games',
        // original_title is the bare title: no original title of its own.
        originalTitle: null,
        otherTitles: ['The Hunger Games (The Hunger Games, #1)'],
        // "2008.0" in the CSV.
        releaseDate: '2008',
        creators: ['Suzanne Collins'],
        attributes: {
          language: 'eng',
          series: 'The Hunger Games',
          series_position: 1,
          average_rating: 4.34,
          ratings_count: 4_780_653,
        },
        // The isbn column says 439023483; its isbn13 column, 9.78043902348e+12, is not read.
        externalIds: { goodreads_work: '2792775', isbn10: '0439023483', isbn13: '9780439023481' },
      },
      {
        ...book,
        key: '3',
        title: "Harry Potter and the Sorcerer's Stone",
        originalTitle: "Harry Potter and the Philosopher's Stone",
        otherTitles: ["Harry Potter and the Sorcerer's Stone (Harry Potter, #1)"],
        releaseDate: '1997',
        creators: ['J.K. Rowling', 'Mary GrandPré'],
        attributes: {
          language: 'eng',
          series: 'Harry Potter',
          series_position: 1,
          average_rating: 4.44,
          ratings_count: 4_602_479,
        },
        externalIds: { goodreads_work: '4640799', isbn10: '0439554934', isbn13: '9780439554930' },
      },
      {
        ...book,
        key: '100915',
        title: 'The Lion, the Witch, and the Wardrobe',
        // "The Lion, the Witch and the Wardrobe" spells the title another way: another title.
        originalTitle: null,
        otherTitles: [
          'The Lion, the Witch, and the Wardrobe (Chronicles of Narnia, #1)',
          'The Lion, the Witch and the Wardrobe',
        ],
        releaseDate: '1950',
        creators: ['C.S. Lewis'],
        attributes: {
          language: 'eng',
          series: 'Chronicles of Narnia',
          series_position: 1,
          average_rating: 4.19,
          ratings_count: 1_531_800,
        },
        externalIds: { goodreads_work: '4790821', isbn10: '0060764899', isbn13: '9780060764890' },
      },
      {
        ...book,
        key: '1381',
        title: 'The Odyssey',
        originalTitle: 'Ὀδύσσεια',
        otherTitles: [],
        // -720.0: a year BC is no date; the year is kept as an attribute.
        releaseDate: null,
        creators: ['Homer', 'Robert Fagles', 'E.V. Rieu', 'Frédéric Mugler', 'Bernard Knox'],
        attributes: { language: 'eng', average_rating: 3.73, ratings_count: 670_326, original_publication_year: -720 },
        externalIds: { goodreads_work: '3356006', isbn10: '0143039954', isbn13: '9780143039952' },
      },
      {
        ...book,
        key: '9418327',
        title: 'Bossypants',
        originalTitle: null,
        otherTitles: [],
        releaseDate: '2011',
        creators: ['Tina Fey'],
        attributes: { language: 'eng', average_rating: 3.94, ratings_count: 506_250 },
        // No ISBN in the row.
        externalIds: { goodreads_work: '14302659' },
      },
      {
        ...book,
        key: '33',
        title: 'The Lord of the Rings',
        originalTitle: null,
        otherTitles: ['The Lord of the Rings (The Lord of the Rings, #1-3)'],
        releaseDate: '1955',
        creators: ['J.R.R. Tolkien'],
        // The three books in one: its place in the series is "1-3", not 1.
        attributes: {
          language: 'eng',
          series: 'The Lord of the Rings',
          series_position: '1-3',
          average_rating: 4.47,
          ratings_count: 389_054,
        },
        externalIds: { goodreads_work: '3462456', isbn10: '0618640150', isbn13: '9780618640157' },
      },
      {
        ...book,
        key: '52357',
        title: 'Beowulf',
        originalTitle: null,
        otherTitles: [],
        // 975.0: a year before 1000 is a date all the same.
        releaseDate: '0975',
        creators: ['Unknown', 'Seamus Heaney'],
        attributes: { language: 'en-US', average_rating: 3.42, ratings_count: 155_903 },
        externalIds: { goodreads_work: '189503', isbn10: '0393320979', isbn13: '9780393320978' },
      },
      {
        ...book,
        key: '14942',
        title: 'Mrs. Dalloway',
        originalTitle: null,
        otherTitles: ['Mrs Dalloway'],
        releaseDate: '1925',
        creators: ['Virginia Woolf', 'Maureen Howard'],
        attributes: { language: 'en-US', average_rating: 3.78, ratings_count: 136_327 },
        externalIds: { goodreads_work: '841320', isbn10: '0151009988', isbn13: '9780151009985' },
      },
      {
        ...book,
        key: '23754',
        title: 'Preludes & Nocturnes',
        originalTitle: null,
        // "(The Sandman #1)": no comma before the number.
        otherTitles: ['Preludes & Nocturnes (The Sandman #1)'],
        releaseDate: '1989',
        // "Karen  Berger" in the CSV.
        creators: ['Neil Gaiman', 'Sam Kieth', 'Mike Dringenberg', 'Malcolm Jones III', 'Todd Klein', 'Karen Berger'],
        attributes: {
          language: 'eng',
          series: 'The Sandman',
          series_position: 1,
          average_rating: 4.3,
          ratings_count: 122_540,
        },
        externalIds: { goodreads_work: '1228437', isbn10: '1563892278', isbn13: '9781563892271' },
      },
      {
        ...book,
        key: '7603',
        title: 'Reading Lolita in Tehran',
        originalTitle: 'Reading Lolita in Tehran: A Memoir in Books',
        otherTitles: [],
        releaseDate: '2003',
        creators: ['Azar Nafisi'],
        attributes: { language: 'eng', average_rating: 3.57, ratings_count: 94_696 },
        // 812971060: 0812971060 fails its check digit, so no ISBN (the record is kept).
        externalIds: { goodreads_work: '903067' },
      },
      {
        ...book,
        key: '13089710',
        title: 'The Kill Order',
        originalTitle: null,
        otherTitles: ['The Kill Order (Maze Runner, #0.5)'],
        releaseDate: '2012',
        creators: ['James Dashner'],
        attributes: {
          language: 'eng',
          series: 'Maze Runner',
          series_position: 0.5,
          average_rating: 3.69,
          ratings_count: 96_568,
        },
        externalIds: { goodreads_work: '18261314', isbn10: '0385742886', isbn13: '9780385742887' },
      },
      {
        ...book,
        key: '64222',
        title: 'Going Postal',
        originalTitle: null,
        otherTitles: ['Going Postal (Discworld, #33; Moist von Lipwig, #1)'],
        releaseDate: '2004',
        creators: ['Terry Pratchett'],
        // Of two series, the first.
        attributes: {
          language: 'eng',
          series: 'Discworld',
          series_position: 33,
          average_rating: 4.36,
          ratings_count: 75_186,
        },
        externalIds: { goodreads_work: '1636617', isbn10: '0060502932', isbn13: '9780060502935' },
      },
      {
        ...book,
        key: '465226',
        title: 'The Redbreast',
        // "Rødstrupe (Harry Hole, #3) ": the series is no part of the original title either.
        originalTitle: 'Rødstrupe',
        otherTitles: ['The Redbreast (Harry Hole, #3)'],
        releaseDate: '2000',
        creators: ['Jo Nesbø', 'Don Bartlett'],
        attributes: {
          language: 'eng',
          series: 'Harry Hole',
          series_position: 3,
          average_rating: 3.94,
          ratings_count: 49_999,
        },
        externalIds: { goodreads_work: '1487876', isbn10: '184343217X', isbn13: '9781843432173' },
      },
      {
        ...book,
        key: '1540',
        title: 'The Oedipus Cycle: Oedipus Rex/Oedipus at Colonus/Antigone',
        originalTitle: null,
        otherTitles: ['The Oedipus Cycle: Oedipus Rex/Oedipus at Colonus/Antigone (The Theban Plays, #1–3)'],
        releaseDate: null,
        creators: ['Sophocles', 'Dudley Fitts', 'Elena Bono', 'Robert Fitzgerald'],
        attributes: {
          language: 'en-US',
          // With its en dash, as given.
          series: 'The Theban Plays',
          series_position: '1–3',
          average_rating: 3.96,
          ratings_count: 42_175,
          original_publication_year: -401,
        },
        externalIds: { goodreads_work: '5672', isbn10: '015602764X', isbn13: '9780156027649' },
      },
      {
        ...book,
        key: '6202318',
        title: 'A Touch of Dead',
        originalTitle: null,
        otherTitles: ['A Touch of Dead (Sookie Stackhouse, #4.1, #4.3, #5.1, #7.1, #8.1)'],
        releaseDate: '2009',
        creators: ['Charlaine Harris'],
        attributes: {
          language: 'eng',
          series: 'Sookie Stackhouse',
          series_position: '4.1, 4.3, 5.1, 7.1, 8.1',
          average_rating: 3.82,
          ratings_count: 36_102,
        },
        externalIds: { goodreads_work: '6382800', isbn10: '0441017835', isbn13: '9780441017836' },
      },
      {
        ...book,
        key: '23686',
        title: 'Ranma ½, Vol. 1',
        originalTitle: 'Ranma ½, Volume 1',
        otherTitles: ['Ranma ½, Vol. 1 (Ranma ½ (US 2nd), #1)'],
        releaseDate: '1988',
        creators: ['Rumiko Takahashi'],
        attributes: {
          language: 'eng',
          series: 'Ranma ½ (US 2nd)',
          series_position: 1,
          average_rating: 4.15,
          ratings_count: 26_303,
        },
        externalIds: { goodreads_work: '4057187', isbn10: '1569319626', isbn13: '9781569319628' },
      },
      {
        ...book,
        key: '14118',
        // A parenthesis without a "#" is no series: the title stays whole.
        title: 'Beauty and the Beast (Disney)',
        originalTitle: 'Beauty and the Beast (Little Golden Book)',
        otherTitles: [],
        releaseDate: '1991',
        creators: ['Teddy Slater', 'Ron Dias', 'Ric González'],
        // No language code.
        attributes: { average_rating: 4.4, ratings_count: 26_454 },
        externalIds: { goodreads_work: '16201', isbn10: '0736421971', isbn13: '9780736421973' },
      },
      {
        ...book,
        key: '6054190',
        title: 'Dune Road',
        originalTitle: null,
        otherTitles: [],
        // No year.
        releaseDate: null,
        creators: ['Jane Green'],
        attributes: { language: 'eng', average_rating: 3.41, ratings_count: 10_608 },
        externalIds: { goodreads_work: '6229996', isbn10: '0670020869', isbn13: '9780670020867' },
      },
      {
        ...book,
        key: '90000005',
        title: 'Dreaming of You',
        // "Dreaming of You (The Gamblers #2)": the title with its series.
        originalTitle: null,
        otherTitles: ['Dreaming of You (The Gamblers, #2)'],
        // "1999.5" is not a year.
        releaseDate: null,
        creators: ['Lisa Kleypas'],
        attributes: {
          language: 'en-US',
          series: 'The Gamblers',
          series_position: 2,
          average_rating: 4.22,
          ratings_count: 24_790,
        },
        // work_id "n/a" is left out; 38077352X lost its leading zero.
        externalIds: { isbn10: '038077352X', isbn13: '9780380773527' },
      },
    ]);
    expect(skips).toEqual([
      { reason: 'no goodreads_book_id', details: { book_id: '10001', title: 'Nameless Book' } },
      { reason: 'no title', details: { book_id: '10002', goodreads_book_id: '90000002' } },
      { reason: 'wrong number of fields', details: { line: 18, book_id: '10003' } },
      {
        reason: 'unreadable goodreads_book_id',
        details: { book_id: '10004', goodreads_book_id: 'gr-90000004', title: 'Not A Number' },
      },
    ]);
  });

  it('fails on a CSV without the expected columns', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'goodbooks-')), 'books.csv.gz');
    fs.writeFileSync(file, zlib.gzipSync('book_id,goodreads_book_id,title\n1,2767052,The Hunger Games\n'));
    await expect(readAll(goodbooks, [file])).rejects.toThrow(/no column work_id, isbn, .* in the CSV header/);
  });

  it('reads all 10,000 rows of the shipped file', async () => {
    const { records, skips } = await readAll(goodbooks, goodbooks.defaultFiles(rawDataDir));
    // Every row has a numeric goodreads_book_id, a title and all 23 fields: none is skipped, and
    // no id comes twice.
    expect(records).toHaveLength(10_000);
    expect(skips).toEqual([]);
    expect(new Set(records.map((record) => record.key)).size).toBe(10_000);
    // 9,300 rows have an isbn (the README's count); 23 of them fail their check digit.
    expect(records.filter((record) => record.externalIds.isbn10 !== undefined)).toHaveLength(9_277);
    // 21 rows have no year and 31 a year BC (kept as original_publication_year); 7 years before
    // 1000 (Beowulf's 975, Ovid's 8…) are dates.
    expect(records.filter((record) => record.releaseDate === null)).toHaveLength(52);
    expect(records.filter((record) => record.attributes.original_publication_year !== undefined)).toHaveLength(31);
    expect(records.filter((record) => record.releaseDate !== null && record.releaseDate < '1000')).toHaveLength(7);
    // 4,439 titles name a series; 111 of their positions are no one number ("1-3", "5, Part 1")
    // and 77 are fractions ("0.5").
    const positions = records.flatMap((record) =>
      record.attributes.series === undefined ? [] : [record.attributes.series_position],
    );
    expect(positions).toHaveLength(4_439);
    expect(positions.filter((position) => typeof position === 'string')).toHaveLength(111);
    expect(positions.filter((position) => typeof position === 'number' && !Number.isInteger(position))).toHaveLength(
      77,
    );
  });
});
