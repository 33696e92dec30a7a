/** How ONTAP's answers are read: error answers into typed errors, bodies through their schemas. */
import http from 'node:http';
import type { z } from 'zod';
import {
  OntapApiError,
  OntapAuthError,
  OntapConflictError,
  OntapDuplicateError,
  type OntapError,
  type OntapErrorDetails,
  OntapInvalidFieldError,
  OntapNotFoundError,
  OntapPermissionError,
  OntapResponseFormatError,
  OntapTransientError,
} from './errors';
import { ErrorBodySchema } from './schemas';

/** The first value of a response header. */
export function headerValue(headers: http.IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Cuts ONTAP's text to a length fit for an error message. */
export function truncate(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}...` : text;
}

/** Turns an ONTAP error answer into the matching typed error. */
export function errorFromAnswer(
  status: number,
  bodyText: string,
  method: string,
  path: string,
  retryAfterHeader?: string,
): OntapError {
  let body: z.output<typeof ErrorBodySchema> | undefined;
  try {
    const parsed = ErrorBodySchema.safeParse(JSON.parse(bodyText));
    if (parsed.success) body = parsed.data;
  } catch {
    body = undefined;
  }
  const code = body?.error.code;
  const target = body?.error.target;
  const message = truncate(body?.error.message ?? http.STATUS_CODES[status] ?? 'error');
  const details: OntapErrorDetails = { status, ontapCode: code, target, method, path };
  const codeText = code !== undefined ? ` (code ${code})` : '';
  const targetText = target !== undefined ? ` [target: ${target}]` : '';
  const text = `ONTAP ${method} ${path} answered ${status}${codeText}: ${message}${targetText}`;
  const retryAfterSeconds =
    retryAfterHeader !== undefined && /^\d+$/.test(retryAfterHeader) ? Number(retryAfterHeader) : undefined;

  if (status === 401) return new OntapAuthError(text, details);
  // A locked configuration database clears by itself, whatever status carries it.
  if (/temporarily locked/i.test(message)) return new OntapTransientError(text, 'locked', details);
  if (status === 429 || status >= 500) {
    const hint = retryAfterSeconds !== undefined ? { retryAfterMs: retryAfterSeconds * 1000 } : {};
    return new OntapTransientError(text, 'status', details, hint);
  }
  if (code === '1') return new OntapDuplicateError(text, details);
  if (code === '2') return new OntapInvalidFieldError(text, details);
  if (code === '4') return new OntapNotFoundError(text, details);
  if (code === '6' || status === 403) return new OntapPermissionError(text, details);
  if (status === 409) return new OntapConflictError(text, details);
  return new OntapApiError(text, details);
}

/** Reads an answer body through its schema; a mismatch is an OntapResponseFormatError naming the field. */
export function parseWith<T extends z.ZodType>(
  schema: T,
  value: unknown,
  method: string,
  path: string,
  what: string,
): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`;
    throw new OntapResponseFormatError(
      `ONTAP ${method} ${path}: unexpected ${what} (${where})`,
      { method, path },
      {
        cause: result.error,
      },
    );
  }
  return result.data;
}
