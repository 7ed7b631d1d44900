import type { Express } from 'express';
import helmet from 'helmet';

/**
 * A strict Content Security Policy: scripts and styles only from our own origin, no inline code
 * (htmx is configured in a meta tag not to inject styles or evaluate code), no framing.
 */
export function setUpSecurityHeaders(app: Express): void {
  app.disable('x-powered-by');
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          scriptSrcAttr: ["'none'"],
          styleSrc: ["'self'"],
          styleSrcAttr: ["'none'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          connectSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          objectSrc: ["'none'"],
          baseUri: ["'self'"],
        },
      },
      referrerPolicy: { policy: 'same-origin' },
    }),
  );
}
