import { z } from 'zod';
import { newPasswordField, PASSWORD_MAX } from '../users/passwords';
import { singleLine } from '../http/validation';
import { RATING_SCALE_NAMES } from '../entries/ratings';
import { THEMES } from '../themes/theme';

export const themeSchema = z.object({
  theme: z.enum(THEMES, { error: 'Choose one of the themes' }),
});

export const ratingScaleSchema = z.object({
  rating_scale: z.enum(RATING_SCALE_NAMES, { error: 'Choose how you rate' }),
});

export const privacySchema = z.object({
  profile_visibility: z.enum(['public', 'private'], { error: 'Choose who can see your profile' }),
});

const currentPassword = (message: string) =>
  singleLine(message)
    .min(1, { error: message })
    .max(PASSWORD_MAX, { error: `Password must be ${PASSWORD_MAX} characters or fewer` });

export const passwordChangeSchema = z
  .object({
    current_password: currentPassword('Enter your current password'),
    new_password: newPasswordField('Enter a new password'),
    confirm_password: singleLine('Confirm your new password').min(1, { error: 'Confirm your new password' }),
  })
  .superRefine((form, context) => {
    if (form.new_password === form.current_password) {
      context.addIssue({
        code: 'custom',
        path: ['new_password'],
        message: 'New password must be different from the current one',
      });
    }
    if (form.confirm_password !== form.new_password) {
      context.addIssue({ code: 'custom', path: ['confirm_password'], message: 'Passwords do not match' });
    }
  });

export const accountDeletionSchema = z.object({
  delete_password: currentPassword('Enter your password to delete your account'),
});
