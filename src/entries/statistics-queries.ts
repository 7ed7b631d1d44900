import type { Knex } from 'knex';
import { RATING_SCALES, type RatingScale } from './ratings';
import { countEntriesByStatus } from './queries';
import { STATUSES, type Status } from './statuses';

/**
 * A profile's statistics, all computed in SQL: six queries whatever the size of the list.
 * Ratings are stored 1–100 and shown on the profile owner's scale.
 */

/** What the time estimate assumes where a title does not say: printed on the profile as they are. */
export const TIME_ASSUMPTIONS = {
  pagesPerHour: 40,
  minutesPerChapter: { manga: 5, web_novel: 10 } as Record<string, number>,
  minutesPerEpisode: { anime: 24, tv: 45, podcast: 60 } as Record<string, number>,
};

export interface TypeStatistics {
  mediaType: string;
  label: string;
  pluralLabel: string;
  count: number;
  /** Mean rating on the owner's scale, one decimal; null when none is rated. */
  meanRating: number | null;
  minutes: number;
}

export interface ProfileStatistics {
  total: number;
  byStatus: { status: Status; count: number }[];
  byType: TypeStatistics[];
  completedPerYear: { year: number; count: number }[];
  /** Completed titles with no completion date, which no year can show. */
  completedUndated: number;
  ratingBuckets: { label: string; count: number }[];
  rated: number;
  totalMinutes: number;
  /** Titles begun or finished whose time is unknown (no progress and no known length). */
  unknownTime: number;
  topRated: TopRated[];
  activity: Activity[];
}

export interface TopRated {
  mediaId: string;
  title: string;
  typeLabel: string;
  rating: number;
  notes: string | null;
}

export type ActivityField = 'status' | 'progress' | 'rating' | 'notes' | 'dates';

export interface Activity {
  mediaId: string;
  title: string;
  action: 'added' | 'changed' | 'removed';
  /** What a change changed: status, progress, rating, notes, dates. */
  fields: ActivityField[];
  status: Status | null;
  progress: number | null;
  rating: number | null;
  unit: string;
  occurredAt: Date;
}

const YEARS_SHOWN = 5;

/**
 * What others see of a user's activity: only titles still on the list (removing a title hides
 * its history too), and nothing that changed only notes.
 */
const VISIBLE_TO_OTHERS = `and a.action <> 'removed' and a.fields <> '{notes}'
  and exists (select 1 from interaction.user_media e where e.user_id = a.user_id and e.media_id = a.media_id)`;
const TOP_RATED = 10;
const ACTIVITY_SHOWN = 20;

/** The buckets of the rating distribution: a star or point each, or tens on the 100-point scale. */
export function ratingBucketsOf(scale: RatingScale): { width: number; labels: string[] } {
  if (scale === 'hundred_point') {
    return { width: 10, labels: Array.from({ length: 10 }, (_, i) => `${i * 10 + 1}–${i * 10 + 10}`) };
  }
  const { max, step } = RATING_SCALES[scale];
  const unit = scale === 'five_star' ? ['star', 'stars'] : ['point', 'points'];
  return { width: step, labels: Array.from({ length: max }, (_, i) => `${i + 1} ${unit[i === 0 ? 0 : 1]}`) };
}

/** The minutes an entry stands for: what it consumed (its progress, or all of it once completed) × a unit's minutes. */
const MINUTES_SQL = `
  coalesce(e.progress, case when e.status = 'completed' then media.title_length(t.progress_unit, m.attributes) end)
  * case t.progress_unit
      when 'minutes' then 1
      when 'hours' then 60
      when 'pages' then 60.0 / :pagesPerHour
      when 'chapters' then (:minutesPerChapter::jsonb ->> m.media_type)::numeric
      when 'episodes' then coalesce(
        case when m.attributes ->> 'episode_minutes' ~ '^[0-9]{1,4}$' then (m.attributes ->> 'episode_minutes')::int end,
        (:minutesPerEpisode::jsonb ->> m.media_type)::numeric)
    end`;

/** A stored rating (1–100) on a scale of `step` points a unit, as the list shows it; null stays null. */
const onScale = (column: string, step = '?') =>
  `case when ${column} is not null then greatest(1, round(${column}::numeric / ${step})) end`;

export async function profileStatistics(
  knex: Knex,
  userId: string,
  scale: RatingScale,
  options: { forOwner: boolean; year: number },
): Promise<ProfileStatistics> {
  const buckets = ratingBucketsOf(scale);
  const { step } = RATING_SCALES[scale];
  const assumptions = {
    pagesPerHour: TIME_ASSUMPTIONS.pagesPerHour,
    minutesPerChapter: JSON.stringify(TIME_ASSUMPTIONS.minutesPerChapter),
    minutesPerEpisode: JSON.stringify(TIME_ASSUMPTIONS.minutesPerEpisode),
  };
  const [statusCounts, byTypeRows, yearRows, bucketRows, topRated, activity] = await Promise.all([
    countEntriesByStatus(knex, userId),
    // Per type: how many, their mean rating on the owner's scale, and their minutes (null: unknown).
    knex.raw<{
      rows: (Omit<TypeStatistics, 'minutes'> & { minutes: string | null; unknown: number })[];
    }>(
      `select t.media_type as "mediaType", t.label, t.plural_label as "pluralLabel", count(*)::int as count,
              round(avg(${onScale('e.rating', ':step')}), 1)::float as "meanRating",
              round(sum(minutes))::text as minutes,
              count(*) filter (where minutes is null and e.status <> 'planning')::int as unknown
         from interaction.user_media e
         join media.media m on m.id = e.media_id
         join media.media_types t on t.media_type = m.media_type
         cross join lateral (select ${MINUTES_SQL} as minutes) x
        where e.user_id = :userId
        group by t.media_type, t.label, t.plural_label, t.position
        order by t.position`,
      { userId, step, ...assumptions },
    ),
    knex.raw<{ rows: { year: number | null; count: number }[] }>(
      `select extract(year from completed_at at time zone 'UTC')::int as year, count(*)::int as count
         from interaction.user_media
        where user_id = ? and status = 'completed'
          and (completed_at is null or completed_at >= make_timestamptz(?, 1, 1, 0, 0, 0, 'UTC')
                                      and completed_at < make_timestamptz(?, 1, 1, 0, 0, 0, 'UTC'))
        group by 1`,
      [userId, options.year - YEARS_SHOWN + 1, options.year + 1],
    ),
    knex.raw<{ rows: { bucket: number; count: number }[] }>(
      `select ${scale === 'hundred_point' ? 'ceil(rating / 10.0)' : onScale('rating')}::int
              as bucket, count(*)::int as count
         from interaction.user_media
        where user_id = ? and rating is not null
        group by 1`,
      scale === 'hundred_point' ? [userId] : [step, userId],
    ),
    knex.raw<{ rows: TopRated[] }>(
      `select e.media_id as "mediaId", m.title, t.label as "typeLabel",
              ${onScale('e.rating')}::int as rating, ${options.forOwner ? 'e.notes' : 'null'} as notes
         from interaction.user_media e
         join media.media m on m.id = e.media_id
         join media.media_types t on t.media_type = m.media_type
        where e.user_id = ? and e.rating is not null
        order by e.rating desc, e.updated_at desc, e.media_id
        limit ?`,
      [step, userId, TOP_RATED],
    ),
    knex.raw<{ rows: Activity[] }>(
      `select a.media_id as "mediaId", m.title, a.action, a.fields, a.status, a.progress,
              ${onScale('a.rating')}::int as rating, t.progress_unit as unit,
              a.occurred_at as "occurredAt"
         from (select * from interaction.list_activity a
                where user_id = ? ${options.forOwner ? '' : VISIBLE_TO_OTHERS}
                order by occurred_at desc, id desc limit ?) a
         join media.media m on m.id = a.media_id
         join media.media_types t on t.media_type = m.media_type
        order by a.occurred_at desc, a.id desc`,
      [step, userId, ACTIVITY_SHOWN],
    ),
  ]);

  const byType = byTypeRows.rows.map(({ unknown: _unknown, minutes, ...row }) => ({
    ...row,
    minutes: minutes === null ? 0 : Number(minutes),
  }));
  const counted = new Map(yearRows.rows.map((row) => [row.year, row.count]));
  const bucketCounts = new Map(bucketRows.rows.map((row) => [row.bucket, row.count]));
  return {
    total: byType.reduce((sum, row) => sum + row.count, 0),
    byStatus: STATUSES.map((status) => ({ status, count: statusCounts[status] })),
    byType,
    completedPerYear: Array.from({ length: YEARS_SHOWN }, (_, i) => {
      const year = options.year - YEARS_SHOWN + 1 + i;
      return { year, count: counted.get(year) ?? 0 };
    }),
    completedUndated: counted.get(null) ?? 0,
    ratingBuckets: buckets.labels.map((label, i) => ({ label, count: bucketCounts.get(i + 1) ?? 0 })),
    rated: bucketRows.rows.reduce((sum, row) => sum + row.count, 0),
    totalMinutes: byType.reduce((sum, row) => sum + row.minutes, 0),
    unknownTime: byTypeRows.rows.reduce((sum, row) => sum + row.unknown, 0),
    topRated: topRated.rows,
    activity: activity.rows,
  };
}
