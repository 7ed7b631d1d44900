import type * as cheerio from 'cheerio';

/** A chart's table (views/partials/bar-chart.ejs), row by row: [label, value]. */
export function chartTable($: cheerio.CheerioAPI, id: string): string[][] {
  return $(`#${id} table tbody tr`)
    .toArray()
    .map((row) => [$(row).find('th').text().trim(), $(row).find('td').text().trim()]);
}
