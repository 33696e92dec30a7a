import * as errors from '../../lambdas/ontap/errors';

const details = { status: 409, ontapCode: '1', target: 'name', method: 'POST', path: '/api/x' };
const named = [
  ['OntapDuplicateError', errors.OntapDuplicateError],
  ['OntapInvalidFieldError', errors.OntapInvalidFieldError],
  ['OntapNotFoundError', errors.OntapNotFoundError],
  ['OntapPermissionError', errors.OntapPermissionError],
  ['OntapAuthError', errors.OntapAuthError],
  ['OntapConflictError', errors.OntapConflictError],
  ['OntapApiError', errors.OntapApiError],
  ['OntapTlsError', errors.OntapTlsError],
  ['OntapResponseFormatError', errors.OntapResponseFormatError],
  ['OntapInvalidInputError', errors.OntapInvalidInputError],
] as const;

describe('the ONTAP errors', () => {
  // Step Functions and callers match on `name`; it is set on the instance, so bundling cannot change it.
  it.each(named)('%s carries its name, message, details and cause', (name, ErrorClass) => {
    const error = new ErrorClass('it failed', details, { cause: 'why' });
    expect(error).toBeInstanceOf(errors.OntapError);
    expect(error.name).toBe(name);
    expect(Object.hasOwn(error, 'name')).toBe(true);
    expect(error.message).toBe('it failed');
    expect(error.cause).toBe('why');
    expect({ ...details }).toEqual({
      status: error.status,
      ontapCode: error.ontapCode,
      target: error.target,
      method: error.method,
      path: error.path,
    });
    for (const [other, OtherClass] of named) if (other !== name) expect(error).not.toBeInstanceOf(OtherClass);
  });

  it('needs no details', () => {
    const error = new errors.OntapApiError('bare');
    expect([error.status, error.ontapCode, error.target, error.method, error.path]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('names the transient error as the workflow retries it', () => {
    const error = new errors.OntapTransientError('busy', 'status', { status: 503 }, { retryAfterMs: 2000 });
    expect([error.name, error.reason, error.retryAfterMs, error.status]).toEqual([
      'OntapTransientError',
      'status',
      2000,
      503,
    ]);
  });
});
