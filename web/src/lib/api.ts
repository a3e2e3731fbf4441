/** A small JSON client for the HTTP API. The session cookie travels by itself (same origin). */

/** One field at fault in a refused body (`error.fields`, src/http/errors.ts): `taxes.1.rate`. */
export interface FieldProblem {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: FieldProblem[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface CallOptions {
  /** A guest's order token, sent as `Authorization: Bearer`. */
  token?: string;
  idempotencyKey?: string;
}

export async function api<T>(method: string, path: string, body?: unknown, options: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, 'network', 'No connection. Check the network and try again.');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    const error = (json as { error?: { code?: string; message?: string; fields?: FieldProblem[] } } | null)?.error;
    throw new ApiError(res.status, error?.code ?? 'error', error?.message ?? `The server answered ${res.status}.`, Array.isArray(error?.fields) ? error.fields : []);
  }
  return json as T;
}

/** A message fit to show a person for anything thrown by `api`. */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  return 'Something went wrong. Try again.';
}

/** A random id for Idempotency-Key and chat client ids; works outside secure contexts too. */
export function randomId(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
