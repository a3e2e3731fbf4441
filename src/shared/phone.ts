import { parsePhoneNumberFromString } from 'libphonenumber-js';

/** Numbers without a country code are Indian, as in the system this replaces (SPEC §3). */
export const DEFAULT_PHONE_COUNTRY = 'IN';

/** E.164 with the leading `+` (`+919876543210`), or null when the input is not a valid number. */
export function normalisePhone(input: string): string | null {
  const parsed = parsePhoneNumberFromString(input, DEFAULT_PHONE_COUNTRY);
  return parsed?.isValid() ? parsed.number : null;
}
