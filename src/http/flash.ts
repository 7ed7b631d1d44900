import type { NextFunction, Request, RequestHandler, Response } from 'express';

export interface Flash {
  type: 'status' | 'error';
  text: string;
  /** A removal the message offers to undo: the layout draws the Undo form (POST /list/restore). */
  undo?: { mediaId: string; next: string };
}

declare module 'express-session' {
  interface SessionData {
    flash?: Flash;
  }
}

/** Leaves a message for the page the user is redirected to (POST → redirect → GET). */
export function setFlash(req: Request, type: Flash['type'], text: string, undo?: Flash['undo']): void {
  req.session.flash = undo ? { type, text, undo } : { type, text };
}

/** Moves a waiting message into the page's locals, once. */
export const takeFlash: RequestHandler = (req, res, next) => {
  const flash = req.session?.flash;
  if (flash) {
    delete req.session.flash;
    res.locals.flash = flash;
  }
  next();
};

/**
 * Redirects (303) once the session is stored. express-session stores a changed session while the
 * response ends, but the redirect's headers go out first and browsers follow them at once: the
 * next page could load the session from before this request. Saving first closes that race.
 */
export function redirectAfterSaving(req: Request, res: Response, next: NextFunction, location: string): void {
  req.session.save((error) => {
    if (error) return next(error);
    res.redirect(303, location);
  });
}
