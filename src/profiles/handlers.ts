import type { RequestHandler } from 'express';
import createError from 'http-errors';
import type { Knex } from 'knex';
import { formatNumber } from '../http/format';
import { RATING_SCALES } from '../entries/ratings';
import { UNIT_LABELS } from '../entries/rules';
import { checked } from '../http/validate';
import { findProfile } from '../users/queries';
import { noSuchProfile, profileParams } from './validation';
import { STATUS_LABELS } from '../entries/statuses';
import { profileStatistics, TIME_ASSUMPTIONS, type Activity } from '../entries/statistics-queries';

/** "1,234 h 5 min", "45 min". */
export function formatMinutes(minutes: number): string {
  const whole = Math.round(minutes);
  const hours = Math.floor(whole / 60);
  const rest = whole % 60;
  if (hours === 0) return `${rest} min`;
  return rest === 0 ? `${formatNumber(hours)} h` : `${formatNumber(hours)} h ${rest} min`;
}

/** One line of recent activity, in words; notes are named to their owner only. */
function activityText(item: Activity, scaleMax: number, forOwner: boolean): string {
  if (item.action === 'added') return `Added to the list as ${STATUS_LABELS[item.status ?? 'planning']}`;
  if (item.action === 'removed') return 'Removed from the list';
  const parts = item.fields.flatMap((field) => {
    switch (field) {
      case 'status':
        return item.status ? [`status ${STATUS_LABELS[item.status]}`] : [];
      case 'progress':
        return [
          item.progress === null
            ? 'progress cleared'
            : `progress ${item.progress} ${UNIT_LABELS[item.unit] ?? item.unit}`,
        ];
      case 'rating':
        return [item.rating === null ? 'rating cleared' : `rated ${item.rating} out of ${scaleMax}`];
      case 'notes':
        return forOwner ? ['notes'] : [];
      case 'dates':
        return ['dates'];
    }
  });
  const text = parts.join(', ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * A user's profile and statistics; a private profile is a 404 to everyone but its owner, as is an
 * unknown name. Notes (in the top rated) are shown to the owner only.
 */
export function showProfile(knex: Knex): RequestHandler {
  return checked({ schemas: { params: profileParams }, refuse: noSuchProfile }, async (req, res, { params }, next) => {
    const profile = await findProfile(knex, params.username);
    const isOwner = profile !== undefined && req.user?.id === profile.id;
    if (!profile || (profile.profileVisibility === 'private' && !isOwner)) return next(createError(404));
    const year = new Date().getUTCFullYear();
    const stats = await profileStatistics(knex, profile.id, profile.ratingScale, { forOwner: isOwner, year });
    const scale = RATING_SCALES[profile.ratingScale];
    const count = (value: number) => ({ value, shown: formatNumber(value) });
    if (isOwner) res.locals.section = 'profile';
    res.render('profiles/show', {
      title: `${profile.username}'s profile`,
      page: 'profile',
      profile,
      isOwner,
      stats,
      scale,
      year,
      formatMinutes,
      assumptions: TIME_ASSUMPTIONS,
      charts: {
        status: {
          id: 'chart-status',
          title: 'Titles by status',
          labelHeading: 'Status',
          valueHeading: 'Titles',
          rows: stats.byStatus.map((row) => ({ label: STATUS_LABELS[row.status], ...count(row.count) })),
        },
        type: {
          id: 'chart-type',
          title: 'Titles by type',
          labelHeading: 'Type',
          valueHeading: 'Titles',
          rows: stats.byType.map((row) => ({ label: row.pluralLabel, ...count(row.count) })),
        },
        years: {
          id: 'chart-years',
          title: `Completed per year, ${year - stats.completedPerYear.length + 1} to ${year}`,
          labelHeading: 'Year',
          valueHeading: 'Completed',
          rows: stats.completedPerYear.map((row) => ({ label: String(row.year), ...count(row.count) })),
        },
        ratings: {
          id: 'chart-ratings',
          title: `Ratings, out of ${scale.max}`,
          labelHeading: 'Rating',
          valueHeading: 'Titles',
          rows: stats.ratingBuckets.map((row) => ({ label: row.label, ...count(row.count) })),
        },
        means: {
          id: 'chart-means',
          title: `Mean rating by type, out of ${scale.max}`,
          labelHeading: 'Type',
          valueHeading: 'Mean rating',
          max: scale.max,
          rows: stats.byType
            .filter((row) => row.meanRating !== null)
            .map((row) => ({ label: row.pluralLabel, value: row.meanRating!, shown: row.meanRating!.toFixed(1) })),
        },
      },
      activity: stats.activity.map((item) => ({ ...item, text: activityText(item, scale.max, isOwner) })),
    });
  });
}
