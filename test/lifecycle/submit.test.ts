import { DateTime } from 'luxon';
import { loadConfig } from '../../lambdas/config/load';
import { Intake, requestIdFor } from '../../lambdas/lifecycle/submit';
import { useDynamo } from '../support/dynamo';
import { type StepFunctionsRecorder, startStepFunctionsRecorder } from '../support/step-functions';

const db = useDynamo();
let sfn: StepFunctionsRecorder;
beforeAll(async () => {
  sfn = await startStepFunctionsRecorder();
});
afterAll(() => sfn.close());

const config = loadConfig();
const policy = config.policies[0]!;
const now = DateTime.fromISO('2026-11-22T10:00:00Z', { zone: 'utc' });
const requester = { slackUserId: 'U0ALICE', ontapAccount: 'alice', zone: 'UTC' };
const checked = {
  cluster: 'cluster1',
  svm: 'svm1',
  role: 'vsadmin',
  policy,
  durationSeconds: 3600,
  justification: 'needed for a fix',
};

describe('requestIdFor', () => {
  it('is the same for the same delivery and differs between deliveries', () => {
    expect(requestIdFor('T0:view:V1')).toBe(requestIdFor('T0:view:V1'));
    expect(requestIdFor('T0:view:V1')).not.toBe(requestIdFor('T0:view:V2'));
    expect(requestIdFor('T0:view:V1')).toMatch(/^JIT-[0-9A-HJKMNP-TV-Z]{12}$/);
  });
});

describe('Intake', () => {
  it('records and starts once per delivery, and a repeat delivery starts nothing', async () => {
    const intake = new Intake(db().store, sfn.workflow, {
      map: {},
      emailLocalPart: false,
      trustedEmailDomains: [],
      people: {},
    });
    const first = await intake.submit('T0:view:V100', requester, checked, now);
    const again = await intake.submit('T0:view:V100', requester, checked, now);
    expect(first).toMatchObject({
      duplicate: false,
      request: { status: 'PENDING', executionArn: expect.stringContaining(first.request.id) },
    });
    expect(again).toMatchObject({ duplicate: true, request: { id: first.request.id } });
    expect(sfn.calls.filter((c) => c.target === 'StartExecution')).toHaveLength(1);
  });

  it('does not hand one person’s request to another on a key collision', async () => {
    const intake = new Intake(db().store, sfn.workflow, {
      map: {},
      emailLocalPart: false,
      trustedEmailDomains: [],
      people: {},
    });
    await intake.submit('T0:view:V200', requester, checked, now);
    await expect(intake.submit('T0:view:V200', { ...requester, slackUserId: 'U0BOB' }, checked, now)).rejects.toThrow(
      'already exists',
    );
  });
});
