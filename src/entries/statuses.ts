/** Where a title stands in a user's list: one of five statuses, in the order every page lists them. */
export const STATUSES = ['planning', 'in_progress', 'completed', 'paused', 'dropped'] as const;
export type Status = (typeof STATUSES)[number];

export const STATUS_LABELS: Record<Status, string> = {
  planning: 'Planning',
  in_progress: 'In progress',
  completed: 'Completed',
  paused: 'Paused',
  dropped: 'Dropped',
};

/** Whether a text names a status. */
export function isStatus(value: string): value is Status {
  return (STATUSES as readonly string[]).includes(value);
}

/** Counts by status with every status present: a status with no row is 0. */
export function countsForEveryStatus(kept: Partial<Record<Status, number>>): Record<Status, number> {
  return Object.fromEntries(STATUSES.map((status) => [status, kept[status] ?? 0])) as Record<Status, number>;
}
