import { detectFormat, sourceByName } from '../../src/imports/detect';
import type { ImportFormat, ImportMember } from '../../src/imports/records';

/** A format that answers `answer` for any members it is shown, and records that it was asked. */
function fakeFormat(name: string, label: string, answer: 'yes' | 'maybe' | 'no'): ImportFormat & { asked: number } {
  return {
    name,
    label,
    asked: 0,
    detect(members) {
      expect(members).toBe(MEMBERS);
      this.asked += 1;
      return answer;
    },
    read: () => ({ records: [], rejected: [] }),
  };
}

const MEMBERS: ImportMember[] = [{ name: 'export.csv', text: 'Title,Year\nPaprika,2006\n' }];

describe('detectFormat', () => {
  it('asks every format about the members', () => {
    const formats = [fakeFormat('a', 'A', 'no'), fakeFormat('b', 'B', 'maybe'), fakeFormat('c', 'C', 'yes')];
    detectFormat(MEMBERS, formats, 'export.csv');
    expect(formats.map(({ asked }) => asked)).toEqual([1, 1, 1]);
  });

  it('finds the one format that says yes, over others that say maybe', () => {
    const sure = fakeFormat('imdb', 'IMDb', 'yes');
    const formats = [fakeFormat('tmdb', 'TMDB', 'maybe'), sure, fakeFormat('trakt', 'Trakt', 'no')];
    expect(detectFormat(MEMBERS, formats, 'export.csv')).toEqual({ kind: 'found', format: sure });
  });

  it('finds the one format that says maybe when none says yes', () => {
    const possible = fakeFormat('letterboxd', 'Letterboxd', 'maybe');
    const formats = [fakeFormat('imdb', 'IMDb', 'no'), possible];
    expect(detectFormat(MEMBERS, formats, 'export.csv')).toEqual({ kind: 'found', format: possible });
  });

  it('is ambiguous between several that say yes, leaving out the maybes', () => {
    const first = fakeFormat('imdb', 'IMDb', 'yes');
    const second = fakeFormat('tmdb', 'TMDB', 'yes');
    const formats = [first, fakeFormat('trakt', 'Trakt', 'maybe'), second];
    expect(detectFormat(MEMBERS, formats, 'export.csv')).toEqual({ kind: 'ambiguous', formats: [first, second] });
  });

  it('is ambiguous between several that say maybe when none says yes', () => {
    const first = fakeFormat('goodreads', 'Goodreads', 'maybe');
    const second = fakeFormat('storygraph', 'StoryGraph', 'maybe');
    const formats = [first, fakeFormat('imdb', 'IMDb', 'no'), second];
    expect(detectFormat(MEMBERS, formats, 'export.csv')).toEqual({ kind: 'ambiguous', formats: [first, second] });
  });

  it('lets the file name settle a tie when it names exactly one of the candidates', () => {
    const goodreads = fakeFormat('goodreads', 'Goodreads', 'maybe');
    const storygraph = fakeFormat('storygraph', 'StoryGraph', 'maybe');
    const formats = [goodreads, storygraph];
    expect(detectFormat(MEMBERS, formats, 'goodreads_library_export.csv')).toEqual({
      kind: 'found',
      format: goodreads,
    });
    expect(detectFormat(MEMBERS, formats, 'Story Graph export.csv')).toEqual({ kind: 'found', format: storygraph });
  });

  it('never lets the file name pick a format whose content does not fit', () => {
    const formats = [fakeFormat('goodreads', 'Goodreads', 'no'), fakeFormat('storygraph', 'StoryGraph', 'maybe')];
    expect(detectFormat(MEMBERS, formats, 'goodreads_library_export.csv')).toEqual({
      kind: 'found',
      format: formats[1],
    });
  });

  it('is unknown when no format says yes or maybe', () => {
    const formats = [fakeFormat('imdb', 'IMDb', 'no'), fakeFormat('tmdb', 'TMDB', 'no')];
    expect(detectFormat(MEMBERS, formats, 'imdb.csv')).toEqual({ kind: 'unknown' });
    expect(detectFormat(MEMBERS, [], 'imdb.csv')).toEqual({ kind: 'unknown' });
  });
});

describe('sourceByName', () => {
  it('finds a format by its source name, and nothing for a name no format has', () => {
    const imdb = fakeFormat('imdb', 'IMDb', 'no');
    const formats = [fakeFormat('tmdb', 'TMDB', 'no'), imdb];
    expect(sourceByName(formats, 'imdb')).toBe(imdb);
    expect(sourceByName(formats, 'IMDb')).toBeUndefined();
    expect(sourceByName(formats, 'letterboxd')).toBeUndefined();
  });
});
