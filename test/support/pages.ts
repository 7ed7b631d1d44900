import * as cheerio from 'cheerio';
import type { Agent } from './session';

/** A page fetched as a browser would (a 200 is expected) and parsed. */
export async function loadPage(agent: Agent, path: string): Promise<cheerio.CheerioAPI> {
  const response = await agent.get(path);
  expect(response.status).toBe(200);
  return cheerio.load(response.text);
}

/**
 * What a form sends as the page draws it: its fields and the controls joined to it with
 * form="ID" (submit buttons left out; a select sends its selected option, else its first).
 */
export function formFields($: cheerio.CheerioAPI, form: ReturnType<cheerio.CheerioAPI>): Record<string, string> {
  const id = form.attr('id');
  const fields: Record<string, string> = {};
  const controls = form.find('input[name], select[name], textarea[name]').add(id ? $(`[form="${id}"][name]`) : []);
  controls.each((_, element) => {
    const field = $(element);
    if (element.tagName === 'button' || field.attr('type') === 'submit') return;
    fields[field.attr('name')!] = field.is('select')
      ? (field.find('option[selected]').attr('value') ?? field.find('option').first().attr('value') ?? '')
      : String(field.val() ?? '');
  });
  return fields;
}
