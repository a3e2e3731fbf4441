import { z } from 'zod';

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 200;
export const MAX_USERNAME_LENGTH = 64;

const password = z.string().min(MIN_PASSWORD_LENGTH).max(MAX_PASSWORD_LENGTH);

export const newStaffBody = z.strictObject({
  username: z
    .string()
    .trim()
    .min(1)
    .max(MAX_USERNAME_LENGTH)
    .regex(/^[\x21-\x7e]+$/, 'username must be visible ASCII characters without spaces'),
  password,
});
export const passwordBody = z.strictObject({ password });
