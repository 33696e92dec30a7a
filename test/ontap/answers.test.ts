import {
  OntapApiError,
  OntapConflictError,
  OntapDuplicateError,
  OntapNotFoundError,
  OntapPermissionError,
  OntapTransientError,
} from '../../lambdas/ontap';
import { errorFromAnswer } from '../../lambdas/ontap/answers';

describe('errorFromAnswer', () => {
  const body = (code: string, message = 'm'): string => JSON.stringify({ error: { code, message } });
  it.each([
    [500, body('1'), OntapTransientError],
    [404, body('4'), OntapNotFoundError],
    [404, JSON.stringify({ error: { message: 'API not found' } }), OntapApiError],
    [400, body('4'), OntapNotFoundError],
    [403, 'forbidden', OntapPermissionError],
    [409, body('1'), OntapDuplicateError],
    [409, body('8'), OntapConflictError],
    [400, body('5636129'), OntapApiError],
    [418, 'x', OntapApiError],
  ])('%i %s -> %p', (status, text, type) => {
    expect(errorFromAnswer(status, text, 'GET', '/api/x')).toBeInstanceOf(type);
  });

  it('keeps long ONTAP messages short', () => {
    expect(errorFromAnswer(400, body('2', 'x'.repeat(5000)), 'GET', '/api/x').message.length).toBeLessThan(400);
  });
});
