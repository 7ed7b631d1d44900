import {
  controlCharacterError,
  hasControlCharacter,
  multiLine,
  parseForm,
  shownText,
  singleLine,
} from '../../src/http/validation';
import { quoted, searchText } from '../../src/tables/params';
import { z } from 'zod';

/** The one rule for control characters that every form, JSON body and table URL uses. */
describe('text rules', () => {
  it.each([
    ['NUL', '\u0000'],
    ['a bell', '\u0007'],
    ['an escape', '\u001b'],
    ['DEL', '\u007f'],
    ['a C1 control (NEL)', '\u0085'],
    ['a C1 control (CSI)', '\u009b'],
  ])('finds %s in any text, one-line or not', (_name, character) => {
    expect(hasControlCharacter(`a${character}b`)).toBe(true);
    expect(hasControlCharacter(`a${character}b`, { multiLine: true })).toBe(true);
  });

  it('lets tabs and line breaks through multi-line text only', () => {
    for (const text of ['a\tb', 'a\nb', 'a\r\nb']) {
      expect(hasControlCharacter(text)).toBe(true);
      expect(hasControlCharacter(text, { multiLine: true })).toBe(false);
    }
  });

  it.each(['plain', '🎉👩🏽‍🚀', 'שלום \u202Eevil\u202C', 'e\u0301', '\u200B\uFEFF', '\uFFFD', '\u2028'])(
    'finds none in %s (unicode beyond control characters)',
    (text) => {
      expect(hasControlCharacter(text)).toBe(false);
      expect(controlCharacterError(text)).toBeUndefined();
    },
  );

  it('marks each control character with U+FFFD when text is drawn again, keeping tabs and line breaks', () => {
    expect(shownText('a\u0000b\u001bc\td\ne')).toBe('a\uFFFDb\uFFFDc\td\ne');
  });

  it('gives the field its message in a schema, and refuses a value sent twice or of another type', () => {
    const schema = z.object({ name: singleLine('Enter a name'), notes: multiLine('Enter notes') });
    expect(parseForm(schema, { name: 'a\tb', notes: 'a\tb' })).toEqual({
      ok: false,
      errors: { name: expect.stringContaining('control characters') as jest.AsymmetricMatcher },
    });
    expect(parseForm(schema, { name: 'x', notes: 'a\u0000' })).toEqual({
      ok: false,
      errors: { notes: expect.stringContaining('control characters') as jest.AsymmetricMatcher },
    });
    expect(parseForm(schema, { name: ['a', 'b'], notes: 7 })).toEqual({
      ok: false,
      errors: { name: 'Enter a name', notes: 'Enter notes' },
    });
    expect(parseForm(schema, { name: 'Ünïcödé 🎉', notes: 'line\nline' })).toEqual({
      ok: true,
      value: { name: 'Ünïcödé 🎉', notes: 'line\nline' },
    });
  });

  it('leaves out a search with a control character, with a note; tabs and line breaks are spaces', () => {
    const notes: string[] = [];
    expect(searchText('god\u0000father', notes)).toBe('');
    expect(notes).toEqual(['The search held a control character (such as NUL) and was left out.']);
    const none: string[] = [];
    expect(searchText(' god\tfather\r\n', none)).toBe('god father');
    expect(none).toEqual([]);
  });

  it('quotes a URL value in a note cut short and with its control characters marked', () => {
    expect(quoted('ab\u0000cd', 4)).toBe('"ab\uFFFDc"');
  });
});
