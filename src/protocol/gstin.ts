/**
 * The GSTIN's shape and check character, shared by the server (settings.input.ts) and the admin
 * page, so the browser says what is wrong before anything is sent and both say the same thing.
 */

const GSTIN_CHARS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** State code, PAN (5 letters, 4 digits, a letter), entity number, 'Z', check character. */
export const GSTIN_FORMAT = /^\d{2}[A-Z]{5}\d{4}[A-Z][1-9A-Z]Z[0-9A-Z]$/;

export const GSTIN_FORMAT_MESSAGE = 'a GSTIN is 15 characters: 2-digit state code, PAN, entity number, Z, check character (e.g. 27AAPFU0939F1ZV)';
export const GSTIN_CHECK_MESSAGE = 'the last character (check character) of this GSTIN does not match the others: check it was typed correctly';

/**
 * The GSTIN's check character: a Luhn mod-36 sum over the first 14 characters (the algorithm the
 * GST portal uses: alternate weights 1 and 2, each product folded as quotient + remainder of 36).
 */
export function gstinCheckCharacter(first14: string): string {
  let sum = 0;
  for (let i = 0; i < 14; i++) {
    const product = GSTIN_CHARS.indexOf(first14[i]!) * (i % 2 === 0 ? 1 : 2);
    sum += Math.floor(product / 36) + (product % 36);
  }
  return GSTIN_CHARS[(36 - (sum % 36)) % 36]!;
}

/**
 * What is wrong with a GSTIN, or null when it is well formed with the right check character.
 * Expects it trimmed and upper-cased (as the API stores it).
 */
export function gstinProblem(gstin: string): string | null {
  if (!GSTIN_FORMAT.test(gstin)) return GSTIN_FORMAT_MESSAGE;
  if (gstinCheckCharacter(gstin.slice(0, 14)) !== gstin[14]) return GSTIN_CHECK_MESSAGE;
  return null;
}
