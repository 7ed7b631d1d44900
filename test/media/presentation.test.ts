import { attributeList } from '../../src/media/presentation';

describe('a title’s attributes as its page reads them', () => {
  it('shows a book’s place in its series, a number as much as a range of text', () => {
    const shown = (position: unknown) =>
      attributeList({ series: 'Discworld', series_position: position }).map(({ label, value }) => [label, value]);
    expect(shown(33)).toEqual([
      ['Series', 'Discworld'],
      ['Number in the series', '33'],
    ]);
    expect(shown(0.5)).toContainEqual(['Number in the series', '0.5']);
    expect(shown('1-3')).toContainEqual(['Number in the series', '1-3']);
    expect(shown(' ')).toEqual([['Series', 'Discworld']]);
  });

  it('leaves out what it does not know, and what is empty', () => {
    expect(attributeList({ dataset: 'bench', pages: 'many', episodes: 12, cast: [] })).toEqual([
      { label: 'Episodes', value: '12 episodes' },
    ]);
  });
});
