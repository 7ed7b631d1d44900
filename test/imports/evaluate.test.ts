import { entryChanges, mergedEntry, recordValues, type EntryValues } from '../../src/imports/evaluate';
import { emptyRecord } from '../../src/imports/records';
import { MAX_NOTES } from '../../src/entries/rules';

/** What an imported record does to an entry, in either mode: the rules the preview and apply share. */
describe('an imported record beside an entry', () => {
  const today = '2026-12-08';
  const mine: EntryValues = {
    status: 'completed',
    rating: 60,
    progress: null,
    notes: 'mine',
    startedOn: null,
    completedOn: '2020-01-01',
  };
  const record = (fields: Partial<ReturnType<typeof emptyRecord>>) => ({
    ...emptyRecord({ file: 'f.csv', line: 2 }, ['book']),
    title: 'A Book',
    ...fields,
  });

  it('keeps the person’s values and fills only gaps by default; the import wins when asked', () => {
    const { values, statusGiven } = recordValues(record({ status: 'dropped', rating: 80, progress: 12 }), today);
    expect(mergedEntry(mine, values, 'fill', statusGiven)).toEqual({ ...mine, progress: 12 });
    expect(mergedEntry(mine, values, 'wins', statusGiven)).toEqual({
      ...mine,
      status: 'dropped',
      rating: 80,
      progress: 12,
    });
  });

  it('never lets a status the file did not give replace the person’s, even when the import wins', () => {
    const { values, statusGiven } = recordValues(record({ status: null, rating: 40 }), today);
    expect(statusGiven).toBe(false);
    // A new entry needs a status: Planning, with nothing else to go on.
    expect(values.status).toBe('planning');
    expect(mergedEntry(mine, values, 'wins', statusGiven)).toMatchObject({ status: 'completed', rating: 40 });
  });

  it('adds notes after the person’s, and cuts long ones between characters, never inside one', () => {
    const long = `${'a'.repeat(MAX_NOTES - 1)}😀 and more`;
    const { values, problems } = recordValues(record({ notes: long }), today);
    expect(Array.from(values.notes!)).toHaveLength(MAX_NOTES);
    expect(values.notes!.endsWith('😀')).toBe(true);
    expect(problems).toEqual([`notes longer than ${MAX_NOTES} characters: cut to that length`]);
    const merged = mergedEntry(mine, recordValues(record({ notes: 'theirs' }), today).values, 'fill');
    expect(merged.notes).toBe('mine\n\ntheirs');
    // JSON (and so jsonb) takes the result: no lone half of a character.
    expect(JSON.parse(JSON.stringify(entryChanges(null, values)))).toMatchObject({ notes: [null, values.notes] });
    expect(JSON.stringify(values.notes)).not.toMatch(/\\ud[89ab]/i);
  });

  it('leaves out dates an entry cannot hold, and a start after the finish', () => {
    const { values, problems } = recordValues(
      record({ startedOn: '2024-05-01', completedOn: '2024-04-01', status: 'completed' }),
      today,
    );
    expect(values).toMatchObject({ startedOn: null, completedOn: '2024-04-01' });
    expect(problems).toHaveLength(1);
  });
});
