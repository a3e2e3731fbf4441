import { z } from 'zod';

/**
 * Text from outside (order notes, chat replies, usernames, names in the management API) is
 * refused at the edge when it holds anything a person cannot have typed on purpose: NUL and the
 * other C0/C1 control characters (tab and line breaks excepted where text may span lines), and
 * lone UTF-16 surrogates (invalid UTF-8 once stored). PostgreSQL rejects NUL in text columns, so
 * without this a NUL was a 500 there and fine on SQLite.
 */
const CONTROL_SINGLE_LINE = /[\u0000-\u001f\u007f-\u009f]/u;
const CONTROL_MULTI_LINE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/u;
/** A high surrogate not followed by a low one, or a low one not preceded by a high one (no `u` flag: code units). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when `text` holds an unpaired surrogate (not valid Unicode). */
export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text);
}

/** Whether `text` may be stored as is. */
export function isSafeText(text: string, opts: { multiline?: boolean } = {}): boolean {
  const control = opts.multiline ? CONTROL_MULTI_LINE : CONTROL_SINGLE_LINE;
  return !control.test(text) && !hasLoneSurrogate(text);
}

/**
 * Text we cannot refuse because a third party sent it (a guest's WhatsApp message): control
 * characters other than tab and line breaks are dropped and lone surrogates become U+FFFD.
 */
export function sanitizeText(text: string): string {
  return text.replace(new RegExp(LONE_SURROGATE.source, 'g'), '\uFFFD').replace(new RegExp(CONTROL_MULTI_LINE.source, 'gu'), '');
}

/** A zod string of 1..max characters (`min` to override) with no control characters or lone surrogates. */
export function safeText(max: number, opts: { min?: number; multiline?: boolean } = {}) {
  return z
    .string()
    .min(opts.min ?? 1)
    .max(max)
    .refine((s) => isSafeText(s, opts), {
      message: opts.multiline
        ? 'must not contain control characters (other than tab and line breaks) or invalid Unicode'
        : 'must not contain control characters or invalid Unicode',
    });
}
