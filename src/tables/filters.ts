import type { BadgeLabels, TableFilter } from './definition';
import { choices, yearRange, yearsLabel } from './params';

/**
 * The filters tables share (see TableDefinition): a set of names (types, classes, genres,
 * statuses) and the release years. A filter only one table has is written beside that table.
 */

/** The state's fields of a name filter: a list of names under `key`. */
type NamesOf<Key extends string> = Record<Key, string[]>;

/**
 * A filter on a set of names, one URL parameter per name (`type=film&type=book`): only known names
 * are kept, once each. Each name has a badge "What: label".
 */
export function namesFilter<S extends NamesOf<Key>, Known, Key extends string>(options: {
  key: Key;
  param: string;
  /** What a name is, for the note when one is left out ("media type"). */
  what: string;
  known: (known: Known) => readonly string[];
  /** The badge's text for a name. */
  badge: (name: string, labels: BadgeLabels) => string;
}): TableFilter<S, Known> {
  const { key, param } = options;
  const fields = (names: string[]) => ({ [key]: names }) as Partial<S>;
  return {
    read: (raw, known, notes) => fields(choices(raw[param], options.known(known), options.what, notes)),
    write: (params, state) => {
      for (const name of state[key]) params.append(param, name);
    },
    off: fields([]),
    badges: (state, { labels }, without) =>
      state[key].map((name) => ({
        label: options.badge(name, labels),
        removeUrl: without(fields(state[key].filter((other) => other !== name))),
      })),
  };
}

/** A badge's text for a name the database labels: "Type: Films", or the name itself when unknown. */
export const labelled =
  (prefix: string, labelsOf: string) =>
  (name: string, labels: BadgeLabels): string =>
    `${prefix}: ${labels[labelsOf]?.get(name) ?? name}`;

/** A filter on names the database labels: the badge shows the label ("Type: Films"). */
const labelledNames =
  <Key extends 'types' | 'classes'>(key: Key, param: string, what: string, prefix: string) =>
  <S extends NamesOf<Key>, Known extends Record<Key, readonly string[]>>() =>
    namesFilter<S, Known, Key>({ key, param, what, known: (known) => known[key], badge: labelled(prefix, key) });

/** The media types (`type=film`), known from media.media_types. */
export const typesFilter = labelledNames('types', 'type', 'media type', 'Type');

/** The kinds of media (`class=video.series`), each taking in the kinds below it. */
export const classesFilter = labelledNames('classes', 'class', 'kind of media', 'Kind');

/** The release years: `from` and `to`, or a `decade` such as 1990s; one badge "Released: 1990s". */
export function yearsFilter<S extends { from: number | null; to: number | null }, Known>(): TableFilter<S, Known> {
  const years = (from: number | null, to: number | null) => ({ from, to }) as Partial<S>;
  return {
    read: (raw, _known, notes) => {
      const { from, to } = yearRange(raw, notes);
      return years(from, to);
    },
    write: (params, state) => {
      if (state.from !== null) params.set('from', String(state.from));
      if (state.to !== null) params.set('to', String(state.to));
    },
    off: years(null, null),
    badges: (state, _context, without) =>
      state.from !== null || state.to !== null
        ? [{ label: `Released: ${yearsLabel(state.from, state.to)}`, removeUrl: without(years(null, null)) }]
        : [],
  };
}
