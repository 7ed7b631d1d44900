import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';

/**
 * How the views are compiled. EJS's default wraps each template in `with (locals) { ... }`, so
 * every name the template uses (its loop variables, EJS's own output function) is first looked
 * up on the locals object at run time; on the list page that made the rows template three to
 * four times slower than the same template compiled without it (docs/benchmarks.md). So the
 * views are compiled without `with`: each template is loaded with a first line that reads the
 * names it uses from `locals` into variables, and its own code is put in a block, so a
 * template's `const x` shadows that variable instead of clashing with it. Templates are written
 * exactly as before; a name that is one of the language's globals (`JSON`, `encodeURIComponent`)
 * keeps meaning the global, as it did under `with` unless a local of that name was passed.
 */
export const TEMPLATE_COMPILE_OPTIONS = { _with: false, localsName: 'locals' } as const;

const RESERVED = new Set(
  (
    'break case catch class const continue debugger default delete do else export extends false finally ' +
    'for function if import in instanceof new null return super switch this throw true try typeof var ' +
    'void while with yield let static enum await implements package protected interface private public ' +
    'arguments eval undefined NaN Infinity of async get set ' +
    // EJS's own names in the compiled function.
    'locals escapeFn include rethrow'
  ).split(' '),
);

const CODE = /<%(?!#)[-_=]?([\s\S]*?)[-_]?%>/g;
// A name, not part of another name or number, and not a property (right after one dot; `...`
// spreads a name). A name taken for a local when it is not one costs nothing: it reads undefined.
const NAME = /(?<![\w$])(?<!(?:^|[^.])\.)[A-Za-z_$][\w$]*/g;
// JavaScript's own globals (Math, JSON, encodeURIComponent...), from a fresh context: not Node's
// (a local may be called `performance`) nor a test runner's.
const LANGUAGE_GLOBALS = runInNewContext('globalThis') as object;

/** The names a template's code uses that may come from its locals (keywords and globals apart). */
export function localNamesIn(template: string): string[] {
  const names = new Set<string>();
  for (const [, code] of template.matchAll(CODE)) {
    for (const [name] of (code ?? '').matchAll(NAME)) {
      if (RESERVED.has(name) || name.startsWith('__') || name in LANGUAGE_GLOBALS) continue;
      names.add(name);
    }
  }
  return [...names];
}

/** A template's text as it is compiled (see TEMPLATE_COMPILE_OPTIONS): same lines, same output. */
export function prepareTemplate(template: string): string {
  const names = localNamesIn(template);
  const reads = names.map((name) => `${name} = locals.${name}`).join(', ');
  return `<% ${reads ? `var ${reads}; ` : ''}{ %>${template}<% } %>`;
}

/** EJS's file loader for the views: the file, prepared. */
export function loadTemplate(file: string): string {
  return prepareTemplate(readFileSync(file, 'utf8'));
}
