/**
 * The one catalogue of HTTP errors. Every refusal the API (and a refused WebSocket upgrade)
 * gives has a stable string `code` clients may branch on, the status it travels with, and a
 * default message. Throw `appError(code, message?)` anywhere below the routes; the error
 * handler turns it into `{"error":{"code","message"}}` and anything else into a plain 500.
 */
export const HTTP_ERRORS = {
  bad_request: 400,
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  gone: 410,
  unsupported_media_type: 415,
  unprocessable: 422,
  item_unavailable: 422,
  cash_not_accepted: 422,
  order_limit_reached: 422,
  cash_limit_reached: 422,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof HTTP_ERRORS;

const DEFAULT_MESSAGES: Record<ErrorCode, string> = {
  bad_request: 'The request is malformed.',
  validation_failed: 'The request body does not match what this endpoint expects.',
  unauthorized: 'A valid credential is required.',
  forbidden: 'This credential does not allow that.',
  not_found: 'Not found.',
  conflict: 'The resource is not in a state that allows this.',
  payload_too_large: 'The request body is too large.',
  gone: 'This is no longer valid.',
  unsupported_media_type: 'The request body is not of a type this endpoint accepts.',
  unprocessable: 'The request cannot be processed.',
  item_unavailable: 'An item of this order is not available.',
  cash_not_accepted: 'This theatre does not take cash orders.',
  order_limit_reached: 'The theatre has too many open orders right now; try again in a few minutes.',
  cash_limit_reached: 'Too many unpaid cash orders are open from this phone or network; pay online, or wait until they are served.',
  rate_limited: 'Too many requests; slow down.',
  unavailable: 'The service is not ready; try again shortly.',
  internal: 'Something went wrong on our side.',
};

/**
 * One field of a refused body and what is wrong with it: `path` is the field's place in the body
 * as dotted keys and indexes (`gstin`, `taxes.1.rate`; '' for the body as a whole), so a form can
 * show the message next to the field.
 */
export interface FieldProblem {
  path: string;
  message: string;
}

export class AppError extends Error {
  readonly status: number;
  /** Per-field problems of a refused body (validation_failed, some unprocessable); sent as `error.fields`. */
  fields: FieldProblem[] | undefined;
  constructor(
    readonly code: ErrorCode,
    message: string = DEFAULT_MESSAGES[code],
    /** Extra headers the answer must carry (e.g. Retry-After). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'AppError';
    this.status = HTTP_ERRORS[code];
  }

  toBody(): { error: { code: ErrorCode; message: string; fields?: FieldProblem[] } } {
    return { error: { code: this.code, message: this.message, ...(this.fields ? { fields: this.fields } : {}) } };
  }
}

export function appError(code: ErrorCode, message?: string, headers?: Record<string, string>): AppError {
  return new AppError(code, message, headers);
}

/** An error that also names the fields at fault (`error.fields`); the message still says it all for older clients. */
export function fieldsError(code: ErrorCode, message: string, fields: FieldProblem[]): AppError {
  const err = new AppError(code, message);
  err.fields = fields;
  return err;
}

/** The dotted path of a validation issue (`taxes.1.rate`). */
export const issuePath = (path: ReadonlyArray<PropertyKey>): string => path.map(String).join('.');

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
