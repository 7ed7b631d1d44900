import path from 'node:path';
import ejs from 'ejs';
import type { Express, RequestHandler } from 'express';
import { viewsDir } from '../paths';
import { formatNumber, formatReleaseDate } from './format';
import { loadTemplate, TEMPLATE_COMPILE_OPTIONS } from './templates';

const layoutFile = path.join(viewsDir, 'layouts', 'main.ejs');

export interface NavigationItem {
  section: string;
  href: string;
  label: string;
}

/** The site's sections, in nav order; a page marks its own with `res.locals.section`. */
export function navigationFor(user: Express.User | undefined): NavigationItem[] {
  return [
    { section: 'home', href: '/', label: 'Home' },
    { section: 'catalog', href: '/catalog', label: 'Catalog' },
    ...(user ? [{ section: 'list', href: '/list', label: 'My list' }] : []),
    ...(user ? [{ section: 'profile', href: `/users/${encodeURIComponent(user.username)}`, label: 'Profile' }] : []),
    { section: 'settings', href: '/settings', label: 'Settings' },
  ];
}

/** Builds the nav for the current visitor (after the session has told who they are). */
export const setUpNavigation: RequestHandler = (req, res, next) => {
  res.locals.navigation = navigationFor(req.user);
  next();
};

type RenderCallback = (error: Error | null, html?: string) => void;

/**
 * EJS with one layout: a view renders its content, then the layout wraps it, unless the view
 * is rendered with `layout: false` (an htmx fragment, for instance).
 */
function renderWithLayout(file: string, viewOptions: object, callback: RenderCallback): void {
  const options = viewOptions as Record<string, unknown>;
  const cache = Boolean(options.cache);
  // Compiled once (cache) in production, where the line-by-line bookkeeping for error messages
  // would cost every render; elsewhere every render recompiles and errors name the line.
  // Views include each other by paths from the views folder ("/partials/header"): EJS resolves
  // those without asking the file system whether a file exists, as it does for relative paths on
  // every include of every render.
  const ejsOptions = { ...TEMPLATE_COMPILE_OPTIONS, cache, compileDebug: !cache, root: viewsDir };
  ejs.renderFile(file, options, { ...ejsOptions, filename: file }, (error, body) => {
    if (error) return callback(error);
    if (options.layout === false) return callback(null, body);
    ejs.renderFile(layoutFile, { ...options, body }, ejsOptions, callback);
  });
}

/**
 * Registers the view engine and the locals every page's layout reads: the asset URLs, the donate
 * link, and what the areas give every view (the composition root passes the statuses' names).
 */
export function setUpViews(
  app: Express,
  locals: {
    asset: (name: string) => string;
    donateUrl?: string;
    /** The statuses in order and their labels (from src/entries/statuses.ts). */
    statuses: readonly string[];
    statusLabels: Record<string, string>;
  },
): void {
  // EJS reads every view (and include) through this one hook: see src/http/templates.ts.
  ejs.fileLoader = loadTemplate;
  app.engine('ejs', renderWithLayout);
  app.set('view engine', 'ejs');
  app.set('views', viewsDir);
  Object.assign(app.locals, locals, {
    navigation: navigationFor(undefined),
    formatNumber,
    formatReleaseDate,
  });
  app.use((req, res, next) => {
    res.locals.theme = 'system';
    res.locals.section = undefined;
    res.locals.user = undefined;
    res.locals.flash = undefined;
    res.locals.csrfToken = undefined;
    res.locals.errors = {};
    next();
  });
}
