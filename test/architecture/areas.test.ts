import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * The rules of docs/architecture.md, read from the source: which way imports between areas run,
 * and where SQL is written. An area is a folder under src/ (a file at the top is its own area).
 */
const SRC = path.join(__dirname, '..', '..', 'src');

function sourceFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory()
        ? sourceFiles(path.join(dir, entry.name))
        : entry.name.endsWith('.ts')
          ? [path.join(dir, entry.name)]
          : [],
    );
}

interface Import {
  from: string;
  to: string;
}

/** Every import (type-only ones too) from one module of src/ to another, as paths from src/. */
function importsOf(file: string): Import[] {
  const { importedFiles } = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
  return importedFiles
    .filter(({ fileName }) => fileName.startsWith('.'))
    .map(({ fileName }) => ({
      from: path.relative(SRC, file),
      to: path.relative(SRC, path.resolve(path.dirname(file), fileName)),
    }))
    .filter(({ to }) => !to.startsWith('..'));
}

const areaOf = (module: string) => module.split(path.sep)[0]!.replace(/\.ts$/, '');
/**
 * Areas that serve pages: they have handlers. The others are cores that pages build on, and the
 * platform (observability mounts /metrics, but as a part of the app's set-up).
 */
const pageAreas = new Set(
  fs
    .readdirSync(SRC, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(SRC, entry.name, 'handlers.ts')))
    .map((entry) => entry.name),
);
const files = sourceFiles(SRC);
/** A module that may write SQL: `queries.ts` or `*-queries.ts`. */
const isQueryModule = (module: string) => /(^|-)queries\.ts$/.test(path.basename(module));
const imports = files.flatMap(importsOf);
const betweenAreas = imports.filter(({ from, to }) => areaOf(from) !== areaOf(to));

describe('the areas of src/', () => {
  it('has page areas and cores to tell apart', () => {
    expect([...pageAreas]).toEqual(expect.arrayContaining(['catalog', 'home', 'list', 'media']));
    expect(pageAreas.has('entries')).toBe(false);
    expect(pageAreas.has('observability')).toBe(false);
  });

  it('import each other without a cycle', () => {
    const edges = new Map<string, Set<string>>();
    for (const { from, to } of betweenAreas) {
      const targets = edges.get(areaOf(from)) ?? new Set<string>();
      edges.set(areaOf(from), targets.add(areaOf(to)));
    }
    // Depth-first search; a cycle is reported as the path that closes it.
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (area: string, trail: string[]) => {
      if (state.get(area) === 'done') return;
      if (state.get(area) === 'open') {
        cycles.push([...trail.slice(trail.indexOf(area)), area].join(' -> '));
        return;
      }
      state.set(area, 'open');
      for (const next of edges.get(area) ?? []) visit(next, [...trail, area]);
      state.set(area, 'done');
    };
    for (const area of edges.keys()) visit(area, []);
    expect(cycles).toEqual([]);
  });

  it('never import a page area from another area: only the composition root wires them', () => {
    const reaching = betweenAreas
      .filter(({ from }) => from !== 'app.ts')
      .filter(({ to }) => pageAreas.has(areaOf(to)))
      .map(({ from, to }) => `${from} -> ${to}`);
    expect(reaching).toEqual([]);
  });

  it('write SQL only in query modules (and the database set-up)', () => {
    const knexAtWork = /\b(knex|trx|db)(\(|\.raw\b|\.transaction\b|\.schema\b|\.fn\b)/;
    // A statement in a template string: select, insert into, delete from, or update schema.table.
    const statement = /`[^`]*\b(select\s|insert\s+into|delete\s+from|update\s+\w+\.\w+)/i;
    // The session store moves a session's expiry through connect-pg-simple's own pool.
    const allowed = new Set(['auth/session.ts']);
    const outside = files
      .map((file) => path.relative(SRC, file))
      .filter((module) => !isQueryModule(module) && areaOf(module) !== 'database')
      .filter((module) => !allowed.has(module))
      .filter((module) => {
        const text = fs.readFileSync(path.join(SRC, module), 'utf8');
        return knexAtWork.test(text) || statement.test(text);
      });
    expect(outside).toEqual([]);
  });

  it('read requests in page areas only through their checked schemas', () => {
    // A handler gets the path, query and body as `checked` typed them (src/http/validate.ts). A
    // table page's query string is read by its TableDefinition, in src/tables/page.ts.
    const rawRequest = /\breq\.(body|params|query)\b/;
    const reading = files
      .map((file) => path.relative(SRC, file))
      .filter((module) => pageAreas.has(areaOf(module)))
      .filter((module) => rawRequest.test(fs.readFileSync(path.join(SRC, module), 'utf8')));
    expect(reading).toEqual([]);
  });

  it('keep every query of a list entry in the entries core, in its query modules', () => {
    // The entries and the counts that triggers keep beside them (interaction.list_status_counts).
    const entryTables = /\binteraction\.(user_media|list_status_counts)\b/;
    const touching = files
      .map((file) => path.relative(SRC, file))
      .filter((module) => entryTables.test(fs.readFileSync(path.join(SRC, module), 'utf8')))
      .filter((module) => areaOf(module) !== 'entries' || !isQueryModule(module));
    expect(touching).toEqual([]);
  });
});
