/**
 * The policy's reminders, escalation and "ends soon" notice: validated with an error that names the
 * field, and the schedules the workflow follows (pure).
 */
import { parseConfig } from '../../lambdas/config/load';
import { endsSoonAtFor, endWaitSeconds, firstApprovalWait, reminderStep } from '../../lambdas/domain/nudges';
import { APPROVAL_CHANNEL, rawPolicy } from '../support/configs';

const configOf = (changes: Record<string, unknown>) =>
  parseConfig({
    clusters: [{ name: 'cluster1' }],
    slack: { approvalChannel: APPROVAL_CHANNEL, accounts: { map: { U0ALICE: 'alice' } } },
    policies: [{ ...rawPolicy(), ...changes }],
  });

describe('the configuration of reminders and notices', () => {
  it('reads durations into seconds, and defaults the notice to 15 minutes', () => {
    const config = configOf({
      reminders: { every: 'PT30M', escalateAfter: '2h', escalateTo: { userGroup: 'S0ONCALL' } },
    });
    expect(config.policies[0]).toMatchObject({
      reminders: { every: 1800, escalateAfter: 7200, escalateTo: { userGroup: 'S0ONCALL' } },
      endsSoonNotice: 900,
    });
    expect(configOf({ endsSoonNotice: 'off' }).policies[0]?.endsSoonNotice).toBe('off');
  });

  it.each([
    [{ reminders: { every: '1m' } }, 'policies[0].reminders.every: must be at least 5m'],
    [{ reminders: { every: '4h' } }, 'policies[0].reminders.every: is not shorter than approvalTimeout'],
    [
      { reminders: { every: '1h', escalateAfter: '2h' } },
      'policies[0].reminders.escalateTo: is required with escalateAfter',
    ],
    [
      { reminders: { every: '1h', escalateTo: { channel: 'C0ESC' } } },
      'policies[0].reminders.escalateAfter: is required',
    ],
    [
      { reminders: { every: '1h', escalateAfter: '5h', escalateTo: { channel: 'C0ESC' } } },
      'policies[0].reminders.escalateAfter: is not shorter than approvalTimeout',
    ],
    [
      { reminders: { every: '1h', escalateAfter: '2h', escalateTo: { channel: '#ops' } } },
      'policies[0].reminders.escalateTo',
    ],
    [{ reminders: { every: '1h', often: true } }, 'policies[0].reminders'],
    [{ endsSoonNotice: 'soon' }, 'policies[0].endsSoonNotice'],
  ])('refuses %j with an error naming the field', (changes, message) => {
    expect(() => configOf(changes)).toThrow(message);
  });
});

describe('the schedules', () => {
  const created = '2026-11-22T10:00:00Z';
  const ms = (iso: string): number => Date.parse(iso);
  const hourly = { every: 3600, escalateAfter: 7200, escalateTo: { channel: 'C0ESC' } };
  const deadline = '2026-11-22T14:00:00Z';

  it('waits first until the first reminder or escalation, never past the approval wait', () => {
    expect(firstApprovalWait(undefined, 14_400)).toBe(14_400);
    expect(firstApprovalWait(hourly, 14_400)).toBe(3600);
    expect(firstApprovalWait({ every: 3600, escalateAfter: 1200 }, 14_400)).toBe(1200);
    expect(firstApprovalWait(hourly, 600)).toBe(600);
  });

  it('reminds at each multiple of the period, escalates once, and expires at the deadline', () => {
    const at1 = reminderStep({ createdAt: created }, hourly, deadline, ms('2026-11-22T11:00:01Z'));
    expect(at1).toEqual({ kind: 'wait', remind: 1, seconds: 3599 });
    const at2 = reminderStep({ createdAt: created, reminders: 1 }, hourly, deadline, ms('2026-11-22T12:00:00Z'));
    expect(at2).toEqual({ kind: 'wait', remind: 2, escalate: true, seconds: 3600 });
    const told = { createdAt: created, reminders: 2, escalatedAt: '2026-11-22T12:00:00Z' };
    expect(reminderStep(told, hourly, deadline, ms('2026-11-22T12:00:00Z'))).toEqual({ kind: 'wait', seconds: 3600 });
    expect(reminderStep(told, hourly, deadline, ms('2026-11-22T13:59:59.5Z'))).toEqual({ kind: 'expire' });
  });

  it('after missed reminders sends one, numbered as the time says', () => {
    const step = reminderStep(
      { createdAt: created, reminders: 1 },
      { every: 3600 },
      deadline,
      ms('2026-11-22T13:10:00Z'),
    );
    expect(step).toEqual({ kind: 'wait', remind: 3, seconds: 3000 });
  });

  it('tells "ends soon" only for a window at least twice the notice; the end wait waits for the end alone', () => {
    const window = { start: '2026-11-22T10:00:00Z', end: '2026-11-22T12:00:00Z' };
    expect(endsSoonAtFor(window, 900)).toBe('2026-11-22T11:45:00Z');
    expect(endsSoonAtFor(window, 3600)).toBe('2026-11-22T11:00:00Z');
    expect(endsSoonAtFor(window, 3601)).toBeUndefined();
    expect(endsSoonAtFor(window, 'off')).toBeUndefined();
    const live = { window, endsSoonAt: '2026-11-22T11:45:00Z' };
    // "Ends soon" is the reconciler's to tell: the workflow is not woken for it (no state transitions).
    expect(endWaitSeconds(live, ms('2026-11-22T10:00:00Z'))).toBe(7200);
    expect(endWaitSeconds(live, ms('2026-11-22T11:45:00Z'))).toBe(900);
    expect(endWaitSeconds(live, ms('2026-11-22T12:00:00Z'))).toBe(1);
  });
});
