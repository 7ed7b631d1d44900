import { applyEdit, changedFields, progressText, readEdit, type EntryFields } from '../../src/entries/rules';
import { ratingOnScale, storedRating } from '../../src/entries/ratings';

const TODAY = '2026-11-27';

const entry = (fields: Partial<EntryFields> = {}): EntryFields => ({
  status: 'planning',
  rating: null,
  progress: null,
  notes: null,
  startedOn: null,
  completedOn: null,
  ...fields,
});

describe('list entry rules', () => {
  describe('ratings', () => {
    it.each([
      ['five_star', 4, 80],
      ['ten_point', 7, 70],
      ['hundred_point', 73, 73],
    ] as const)('on the %s scale, %i is stored as %i and shown back the same', (scale, shown, stored) => {
      expect(storedRating(shown, scale)).toBe(stored);
      expect(ratingOnScale(stored, scale)).toBe(shown);
    });

    it('shows a rating stored on a finer scale rounded, never below 1', () => {
      expect(ratingOnScale(73, 'ten_point')).toBe(7);
      expect(ratingOnScale(75, 'five_star')).toBe(4);
      expect(ratingOnScale(3, 'five_star')).toBe(1);
      expect(ratingOnScale(null, 'ten_point')).toBeNull();
    });

    it.each([
      ['ten_point', '11', 'Rate from 1 to 10, or leave it empty.'],
      ['ten_point', '0', 'Rate from 1 to 10, or leave it empty.'],
      ['five_star', '6', 'Rate from 1 to 5, or leave it empty.'],
      ['hundred_point', '7.5', 'Rate from 1 to 100, or leave it empty.'],
      ['ten_point', 'ten', 'Rate from 1 to 10, or leave it empty.'],
    ] as const)('on the %s scale refuses "%s"', (scale, value, message) => {
      expect(readEdit({ rating: value }, scale).errors).toEqual({ rating: message });
    });

    it('clears a rating left empty', () => {
      expect(readEdit({ rating: '', was_rating: '7' }, 'ten_point').changes).toEqual({ rating: null });
    });
  });

  describe('reading a submitted edit', () => {
    it('takes as changes only the fields that differ from what the form showed', () => {
      const edit = readEdit(
        { status: 'planning', was_status: 'planning', rating: '8', was_rating: '', progress: '3', was_progress: '3' },
        'ten_point',
      );
      expect(edit.changes).toEqual({ rating: 80 });
      expect(edit.errors).toEqual({});
    });

    it('takes every field sent when the form says nothing of what it showed', () => {
      expect(readEdit({ status: 'paused', progress: '4' }, 'ten_point').changes).toEqual({
        status: 'paused',
        progress: 4,
      });
    });

    const DATE_MESSAGE = 'Enter a date between 1000-01-01 and 2027-12-31, as YYYY-MM-DD, or leave it empty.';
    it.each([
      ['status', 'finished', 'Choose a status from the list.'],
      ['progress', '-1', 'Progress is a whole number, 0 or more.'],
      ['progress', '2.5', 'Progress is a whole number, 0 or more.'],
      ['started', '2026-02-30', DATE_MESSAGE],
      ['completed', 'yesterday', DATE_MESSAGE],
      ['notes', 'x'.repeat(10_001), 'Notes can be at most 10,000 characters.'],
    ])('refuses %s "%s"', (field, value, message) => {
      expect(readEdit({ [field]: value }, 'ten_point', TODAY).errors).toEqual({ [field]: message });
    });

    it.each(['0000-01-01', '0999-12-31', '10000-01-01', '2028-01-01', '-0001-01-01', '+2026-01-01'])(
      'refuses the date %s: before year 1000, after next year, or out of PostgreSQL’s range',
      (date) => {
        expect(readEdit({ started: date, completed: date }, 'ten_point', TODAY).errors).toEqual({
          started: DATE_MESSAGE,
          completed: DATE_MESSAGE,
        });
      },
    );

    it.each(['1000-01-01', TODAY, '2027-12-31', '2024-02-29'])('accepts the date %s', (date) => {
      expect(readEdit({ started: date }, 'ten_point', TODAY)).toMatchObject({
        errors: {},
        changes: { startedOn: date },
      });
    });

    it('refuses control characters by the field, and keeps tabs and line breaks in notes', () => {
      const edit = readEdit({ notes: 'a\u0000b', rating: '7\u001b', started: '2026-01-01\u0000' }, 'ten_point', TODAY);
      expect(edit.errors).toEqual({
        notes: expect.stringContaining('control characters') as jest.AsymmetricMatcher,
        rating: expect.stringContaining('control characters') as jest.AsymmetricMatcher,
        started: expect.stringContaining('control characters') as jest.AsymmetricMatcher,
      });
      expect(edit.changes).toEqual({});
      // What was typed is drawn again with the character marked, never a NUL in the page.
      expect(edit.typed.notes).toBe('a\uFFFDb');
      expect(readEdit({ notes: 'one\ttwo\r\nthree' }, 'ten_point', TODAY).changes).toEqual({
        notes: 'one\ttwo\nthree',
      });
    });

    it('refuses a field sent more than once rather than choosing one', () => {
      const edit = readEdit({ rating: ['7', '8'], status: 'paused' }, 'ten_point', TODAY);
      expect(edit.errors).toEqual({ rating: 'This field was sent more than once: send it once.' });
      expect(edit.typed.rating).toBe('7');
    });

    it('reads the +1 button and keeps what was typed for drawing the form again', () => {
      const edit = readEdit({ progress_step: '1', rating: '12', was_rating: '' }, 'ten_point');
      expect(edit.step).toBe(1);
      expect(edit.typed).toEqual({ rating: '12' });
    });
  });

  describe('applying an edit', () => {
    it('completing fills the completion day and the progress when the length is known', () => {
      const { next, errors } = applyEdit(
        entry({ status: 'in_progress', progress: 3 }),
        { changes: { status: 'completed' }, step: 0 },
        24,
        TODAY,
      );
      expect(errors).toEqual({});
      expect(next).toMatchObject({ status: 'completed', completedOn: TODAY, progress: 24 });
    });

    it('completing keeps a completion day and progress given with it, and an unknown length leaves progress', () => {
      expect(
        applyEdit(
          entry(),
          { changes: { status: 'completed', completedOn: '2026-01-02', progress: 20 }, step: 0 },
          24,
          TODAY,
        ).next,
      ).toMatchObject({ completedOn: '2026-01-02', progress: 20 });
      expect(
        applyEdit(entry({ progress: 5 }), { changes: { status: 'completed' }, step: 0 }, null, TODAY).next.progress,
      ).toBe(5);
    });

    it('starting fills the start day only when it is empty', () => {
      expect(applyEdit(entry(), { changes: { status: 'in_progress' }, step: 0 }, null, TODAY).next.startedOn).toBe(
        TODAY,
      );
      expect(
        applyEdit(entry({ startedOn: '2025-05-05' }), { changes: { status: 'in_progress' }, step: 0 }, null, TODAY).next
          .startedOn,
      ).toBe('2025-05-05');
    });

    it('progress reaching the length completes the entry; progress on a planned title starts it', () => {
      expect(
        applyEdit(entry({ status: 'in_progress', progress: 23 }), { changes: {}, step: 1 }, 24, TODAY).next,
      ).toMatchObject({
        status: 'completed',
        progress: 24,
        completedOn: TODAY,
      });
      expect(applyEdit(entry(), { changes: {}, step: 1 }, null, TODAY).next).toMatchObject({
        status: 'in_progress',
        progress: 1,
        startedOn: TODAY,
      });
    });

    it('refuses progress past the length, and a completion before the start', () => {
      expect(applyEdit(entry(), { changes: { progress: 25 }, step: 0 }, 24, TODAY).errors).toEqual({
        progress: "Progress can be at most 24, the title's length.",
      });
      expect(
        applyEdit(entry({ startedOn: '2026-03-01' }), { changes: { completedOn: '2026-02-01' }, step: 0 }, null, TODAY)
          .errors,
      ).toEqual({ completed: 'The completed date cannot be before the started date.' });
      expect(
        applyEdit(entry({ completedOn: '2026-02-01' }), { changes: { startedOn: '2026-03-01' }, step: 0 }, null, TODAY)
          .errors,
      ).toEqual({ started: 'The completed date cannot be before the started date.' });
    });

    it('lists only the fields whose value changed', () => {
      const before = entry({ status: 'in_progress', progress: 3 });
      expect(changedFields(before, { ...before, progress: 4 })).toEqual({ progress: 4 });
      expect(changedFields(before, before)).toEqual({});
    });
  });

  it('writes progress with its unit and the length when known', () => {
    expect(progressText(12, 24, 'episodes')).toBe('12 / 24 ep');
    expect(progressText(130, 412, 'pages')).toBe('130 / 412 pages');
    expect(progressText(7, null, 'hours')).toBe('7 h');
    expect(progressText(null, null, 'chapters')).toBe('');
  });
});
