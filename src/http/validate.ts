import { z } from 'zod';
import { appError } from './errors.js';

/** Validates input at the edge; the handler gets typed data or the caller a 400 saying what is wrong. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw appError('validation_failed', z.prettifyError(parsed.error));
  return parsed.data;
}

/**
 * A numeric id from a path, written canonically (`244`, never `0244`); anything else names
 * nothing, so it is a 404 like an unknown id.
 */
export function parseId(value: string | undefined, what = 'resource'): number {
  if (value === undefined || !/^[1-9][0-9]{0,14}$/.test(value)) throw appError('not_found', `No such ${what}.`);
  return Number(value);
}
