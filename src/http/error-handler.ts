import type { FastifyError, FastifyInstance } from 'fastify';
import { isStorageError } from '../health/write-health.js';
import { AppError, isAppError } from './errors.js';

/** What a client is told to wait after a storage failure: long enough for an operator's alert, short enough to retry. */
const STORAGE_RETRY_AFTER_SECONDS = 30;

/**
 * Turns every error into the API's one error shape. Known errors keep their status and code;
 * Fastify's own (bad JSON, body too large, schema) map to the catalogue; anything else is a 500
 * whose details go to the log, never to the client.
 */
export function installErrorHandler(app: FastifyInstance, opts: { onUnhandled?: (err: unknown) => void } = {}): void {
  app.setErrorHandler((err: FastifyError | AppError, request, reply) => {
    let appErr: AppError;
    if (isAppError(err)) appErr = err;
    else if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') appErr = new AppError('payload_too_large');
    else if (err.validation || err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') appErr = new AppError('bad_request', err.message);
    else if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) appErr = new AppError('bad_request', err.message);
    else if (isStorageError(err)) {
      // Not the request's fault and not a bug: the database cannot write (disk full, I/O error).
      // 503 tells clients and balancers to come back; /readyz says the same meanwhile.
      opts.onUnhandled?.(err);
      request.log.error({ err }, 'the database cannot store anything (disk full or I/O error)');
      appErr = new AppError('unavailable', 'The service cannot store anything right now; try again shortly.', { 'Retry-After': String(STORAGE_RETRY_AFTER_SECONDS) });
    } else {
      opts.onUnhandled?.(err);
      request.log.error({ err }, 'unhandled error');
      appErr = new AppError('internal');
    }
    void reply.status(appErr.status).headers(appErr.headers).send(appErr.toBody());
  });
  app.setNotFoundHandler((_request, reply) => {
    void reply.status(404).send(new AppError('not_found').toBody());
  });
}
