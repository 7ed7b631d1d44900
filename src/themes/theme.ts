import type { Request, RequestHandler, Response } from 'express';
import { parse } from 'cookie';

/** The themes one can choose; 'system' follows the device's light or dark setting. */
export const THEMES = ['system', 'light', 'dark', 'high-contrast'] as const;
export type Theme = (typeof THEMES)[number];

export const THEME_COOKIE = 'omt.theme';
const ONE_YEAR_MS = 365 * 24 * 3_600_000;

function isTheme(value: unknown): value is Theme {
  return typeof value === 'string' && (THEMES as readonly string[]).includes(value);
}

/** The theme a visitor picked without an account (or before signing in), if any. */
export function themeFromCookie(req: Request): Theme | undefined {
  const value = parse(req.headers.cookie ?? '')[THEME_COOKIE];
  return isTheme(value) ? value : undefined;
}

export function setThemeCookie(res: Response, theme: Theme, secure: boolean): void {
  res.cookie(THEME_COOKIE, theme, { httpOnly: true, sameSite: 'lax', secure, maxAge: ONE_YEAR_MS });
}

/** `body data-theme`: the signed-in user's preference, else the cookie, else "system". */
export const resolveTheme: RequestHandler = (req, res, next) => {
  res.locals.theme = req.user?.theme ?? themeFromCookie(req) ?? 'system';
  res.locals.user = req.user;
  next();
};

export { isTheme };
