import type { Request, RequestHandler } from 'express';

export interface Flash {
  type: 'status' | 'error';
  text: string;
}

declare module 'express-session' {
  interface SessionData {
    flash?: Flash;
  }
}

/** Leaves a message for the page the user is redirected to (POST → redirect → GET). */
export function setFlash(req: Request, type: Flash['type'], text: string): void {
  req.session.flash = { type, text };
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
