import { z } from 'zod';
import { nextPath } from '../http/validate';
import { singleLine } from '../http/validation';
import { newPasswordField, PASSWORD_MAX } from '../users/passwords';

export const usernameField = singleLine('Enter a username')
  .trim()
  .min(1, { error: 'Enter a username' })
  .min(3, { error: 'Username must be 3 to 32 characters' })
  .max(32, { error: 'Username must be 3 to 32 characters' })
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, {
    error: 'Username can only use letters, numbers, and . _ - (not starting with . or -)',
  });

export const emailField = singleLine('Enter an email address')
  .trim()
  .min(1, { error: 'Enter an email address' })
  .max(254, { error: 'Email address must be 254 characters or fewer' })
  .pipe(z.email({ error: 'Enter an email address in the right format, like name@example.com' }));

export const registrationSchema = z
  .object({
    username: usernameField,
    email: emailField,
    password: newPasswordField('Enter a password'),
    confirm: singleLine('Confirm your password').min(1, { error: 'Confirm your password' }),
    /** Where to go once signed in; '' for the home page. */
    next: nextPath(''),
  })
  .superRefine((form, context) => {
    if (form.password.toLowerCase() === form.username.toLowerCase()) {
      context.addIssue({ code: 'custom', path: ['password'], message: 'Password must not be your username' });
    }
    if (form.confirm !== form.password) {
      context.addIssue({ code: 'custom', path: ['confirm'], message: 'Passwords do not match' });
    }
  });

export type Registration = z.output<typeof registrationSchema>;

/**
 * The query of the sign-in and registration pages: where to go afterwards. It never refuses: a
 * `next` that is not a path of this site is no `next`.
 */
export const accountPageQuery = z.looseObject({ next: nextPath('') });

export const signInSchema = z.object({
  username: singleLine('Enter your username or email')
    .trim()
    .min(1, { error: 'Enter your username or email' })
    .max(254, {
      error: 'Username or email must be 254 characters or fewer',
    }),
  password: singleLine('Enter your password')
    .min(1, { error: 'Enter your password' })
    .max(PASSWORD_MAX, { error: `Password must be ${PASSWORD_MAX} characters or fewer` }),
  /** Where to go once signed in; '' for the home page. */
  next: nextPath(''),
});
