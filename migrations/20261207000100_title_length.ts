import type { Knex } from 'knex';

/**
 * A title's length in its type's progress unit, defined once in the schema instead of as an SQL
 * string that every query pasted in: the attribute that holds it (none for hours), when it is a
 * whole number of at most seven digits, else null.
 *
 * A function, not a generated column, because the unit lives on media.media_types and a generated
 * column can read only its own row; not a view, because a view would add a join to queries that
 * already join both tables. Written as a single expression, immutable, so PostgreSQL inlines it:
 * the plans and their cost are those of the expression it replaces.
 */
const ATTRIBUTE = `case progress_unit
      when 'episodes' then attributes ->> 'episodes'
      when 'chapters' then attributes ->> 'chapters'
      when 'pages' then attributes ->> 'pages'
      when 'minutes' then attributes ->> 'runtime_minutes'
    end`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create function media.title_length(progress_unit text, attributes jsonb) returns integer
      language sql immutable parallel safe
      as $$ select case when (${ATTRIBUTE}) ~ '^[0-9]{1,7}$' then (${ATTRIBUTE})::int end $$;
    comment on function media.title_length(text, jsonb) is
      'A title''s length in its progress unit (media_types.progress_unit) from its attributes, or null.';
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop function media.title_length(text, jsonb)');
}
