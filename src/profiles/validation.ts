import { z } from 'zod';
import { notFound } from '../http/validate';

/** A name that could exist: nothing else is looked up (no query for "%", NUL bytes and the like). */
const USERNAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{2,31}$/;

/** A profile's path (/users/:username). */
export const profileParams = z.looseObject({ username: z.string().regex(USERNAME_PATTERN) });

/** A name that cannot exist is the 404 of a name that does not. */
export const noSuchProfile = notFound();
