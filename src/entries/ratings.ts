/**
 * Rating scales: how a user sees and types ratings. Every rating is stored on one internal 1–100
 * scale, so changing one's scale never rewrites an entry.
 */
export const RATING_SCALE_NAMES = ['five_star', 'ten_point', 'hundred_point'] as const;
export type RatingScale = (typeof RATING_SCALE_NAMES)[number];
export const DEFAULT_RATING_SCALE: RatingScale = 'ten_point';

export const RATING_SCALES: Record<RatingScale, { max: number; step: number; label: string; title: string }> = {
  five_star: { max: 5, step: 20, label: 'stars (1 to 5)', title: '5 stars' },
  ten_point: { max: 10, step: 10, label: 'points (1 to 10)', title: '10 points' },
  hundred_point: { max: 100, step: 1, label: 'points (1 to 100)', title: '100 points' },
};

/** A scale as the views use it: its name, its top, its words. */
export function scaleView(scale: RatingScale) {
  return { name: scale, ...RATING_SCALES[scale] };
}

/** A stored rating (1–100) on the user's scale, never below 1. */
export function ratingOnScale(stored: number | null, scale: RatingScale): number | null {
  if (stored === null) return null;
  return Math.max(1, Math.round(stored / RATING_SCALES[scale].step));
}

/** A rating on the user's scale, stored. */
export function storedRating(value: number, scale: RatingScale): number {
  return value * RATING_SCALES[scale].step;
}
