const numberFormat = new Intl.NumberFormat('en');

/** 16524 → "16,524". */
export function formatNumber(value: number): string {
  return numberFormat.format(value);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A release date at the precision we know it: "1997", "Mar 1994" or "4 Oct 1984". */
export function formatReleaseDate(date: string | null, precision: 'year' | 'month' | 'day'): string {
  if (!date) return '';
  const [year, month, day] = date.split('-');
  if (precision === 'year' || !month) return year ?? '';
  const monthName = MONTHS[Number(month) - 1] ?? month;
  return precision === 'month' ? `${monthName} ${year}` : `${Number(day)} ${monthName} ${year}`;
}
