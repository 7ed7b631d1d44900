import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ejs from 'ejs';
import { localNamesIn, prepareTemplate, TEMPLATE_COMPILE_OPTIONS } from '../../src/http/templates';
import { viewsDir } from '../../src/paths';

/** The views compiled without `with`: the same output as EJS's default, for every template. */
describe('view templates', () => {
  it('reads the names a template uses, not properties, keywords or globals', () => {
    const names = localNamesIn(
      `<%# a comment naming ignored %><% for (const row of rows) { %><%= row.title %> <%= item?.label %>` +
        `<%- [countText, ...notes].join(' ') %><%= JSON.stringify(data.field) %>` +
        `<% // Newest first.
 entries.forEach(() => {}) %><%= performance %><% } %>`,
    );
    expect(names.sort()).toEqual([
      'Newest',
      'countText',
      'data',
      'entries',
      'first',
      'item',
      'notes',
      'performance',
      'row',
      'rows',
    ]);
  });

  it('renders as EJS does with `with`, top-level declarations, loops and missing locals alike', () => {
    const template = `<% const greeting = 'Hello'; %><%= greeting %>, <%= name %>! <% for (const n of [1, 2]) { %><%= n * size %> <% } %><%= typeof missing %>`;
    const locals = { name: 'Ada <3', size: 2 };
    const plain = ejs.render(template, locals);
    const prepared = ejs.render(prepareTemplate(template), locals, TEMPLATE_COMPILE_OPTIONS);
    expect(prepared).toBe(plain);
    expect(prepared).toBe('Hello, Ada &lt;3! 2 4 undefined');
  });

  it('compiles every view', () => {
    const files = readdirSync(viewsDir, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ejs'));
    expect(files.length).toBeGreaterThan(30);
    for (const file of files) {
      const filename = path.join(viewsDir, file);
      expect(() =>
        ejs.compile(prepareTemplate(readFileSync(filename, 'utf8')), { ...TEMPLATE_COMPILE_OPTIONS, filename }),
      ).not.toThrow();
    }
  });
});
