/**
 * `/jit audit` through the real ingress, signed as Slack signs it: the answer comes at once, the export
 * runs after it and arrives as a CSV file in the approver's DM through Slack's upload flow on the
 * stand-in; the same rows as the command-line export for the same filter.
 */
import { parse } from 'csv-parse/sync';
import type { AuditJob } from '../../lambdas/audit-export/slack-export';
import { buttonsOf, homeClick, homeOf, openHome } from '../slack/home-support';
import { commandBody, INSTALL, signedHeaders, useSlackIngress } from '../support/slack';
import { audit, lifecycle, REVOKED_STEPS, tableSource } from './support';

const ctx = useSlackIngress({ auditExports: true });
const FILTER = 'since 2026-11-01 until 2026-11-23';
const text = (answer: { body: string }) => String((JSON.parse(answer.body) as { text?: string }).text ?? '');

/** Runs `/jit <text>` as `user` with a given trigger id (a retried delivery sends the same one). */
async function commandWith(user: string, command: string, trigger: string, retryNum?: number) {
  const { slack, post } = ctx();
  const body = commandBody({ user, text: command, trigger, responseUrl: slack.issueResponseUrl() });
  const headers = signedHeaders(body, 'application/x-www-form-urlencoded', retryNum ? { retryNum } : {});
  return post(body, headers);
}

describe('/jit audit', () => {
  const ids: string[] = [];

  beforeAll(async () => {
    const { store } = ctx();
    ids.push((await lifecycle(store, '2026-11-10T09:00:00Z', REVOKED_STEPS)).id);
    const denied = await lifecycle(store, '2026-11-11T09:00:00Z', [
      (t) => ({ type: 'DENY', by: 'U0CAROL', at: t(3), reason: '=cmd|"/c calc", then\nno' }),
    ]);
    ids.push(denied.id);
    // A policy Bob does not approve for: never in his export.
    await lifecycle(store, '2026-11-12T09:00:00Z', REVOKED_STEPS, { policy: 'someone-elses' });
  });

  beforeEach(() => {
    ctx().slack.faults.chooser = undefined;
  });

  it('answers at once, then uploads the CSV to the approver’s DM: the rows the CLI exports for the same filter', async () => {
    const { slack, exports, dynamo } = ctx();
    const answer = await commandWith('U0BOB', `audit ${FILTER}`, slack.issueTrigger('U0BOB'));
    expect(answer.status).toBe(200);
    expect(text(answer)).toContain('Preparing the audit export');
    expect(await exports?.settled()).toEqual(['delivered']);

    const shared = [...slack.files.values()].filter((f) => f.completed);
    expect(shared).toHaveLength(1);
    const [file] = shared;
    expect(file?.channel).toBe(slack.dmChannelOf('U0BOB'));
    expect(file?.bytes?.length).toBe(file?.length);
    const message = slack.messages.find((m) => m.files?.[0]?.id === file?.id);
    expect(message?.text).toMatch(
      /^Audit export: 2 request\(s\) made from 2026-11-01T00:00:00Z to 2026-11-23T00:00:00Z/,
    );
    expect(message?.text).toContain('1 revoked, 1 denied');

    const fromSlack = parse(file?.bytes ?? Buffer.alloc(0), { bom: true }) as string[][];
    expect(fromSlack.slice(1).map((r) => r[0])).toEqual(ids);
    expect(fromSlack[2]?.[14]).toBe(`'=cmd|"/c calc", then\nno`);
    const cli = await audit(['--since', '2026-11-01', '--until', '2026-11-23', '--format', 'csv'], {
      table: tableSource(dynamo),
    });
    const fromCli = parse(cli.out, { bom: true }) as string[][];
    const bobsPolicies = fromCli.filter((row, i) => i === 0 || row[7] !== 'someone-elses');
    expect(fromCli).toHaveLength(4);
    expect(fromSlack).toEqual(bobsPolicies);
  });

  it('sends one file for a command Slack delivers twice, and says so to the retry', async () => {
    const { slack, exports } = ctx();
    const before = slack.files.size;
    const trigger = slack.issueTrigger('U0BOB');
    expect(text(await commandWith('U0BOB', `audit ${FILTER}`, trigger))).toContain('Preparing');
    expect(text(await commandWith('U0BOB', `audit ${FILTER}`, trigger, 1))).toContain('already on its way');
    await exports?.settled();
    expect(slack.files.size).toBe(before + 1);
    // The export job delivered a second time (an asynchronous invoke is at least once) does nothing.
    const job: AuditJob = {
      key: `${INSTALL.teamId}:audit:${trigger}`,
      user: 'U0BOB',
      at: '2026-11-22T10:00:00Z',
      filter: { since: '2026-11-01T00:00:00Z', until: '2026-11-23T00:00:00Z' },
      policies: ['svm1-operators'],
    };
    expect(await exports?.redeliver(job)).toBe('duplicate');
    expect(slack.files.size).toBe(before + 1);
  });

  it('queues again a command whose export could not be queued, when Slack retries it', async () => {
    const { slack, exports } = ctx();
    if (!exports) throw new Error('exports are set up in this suite');
    const before = slack.files.size;
    const start = exports.starter.start.bind(exports.starter);
    let refused = false;
    Object.assign(exports.starter, {
      start: async (job: AuditJob) => {
        if (refused) return start(job);
        refused = true;
        throw new Error('the export function could not be invoked');
      },
    });
    try {
      const trigger = slack.issueTrigger('U0BOB');
      expect(text(await commandWith('U0BOB', `audit ${FILTER}`, trigger))).not.toContain('Preparing');
      expect(text(await commandWith('U0BOB', `audit ${FILTER}`, trigger, 1))).toContain('Preparing');
      expect(await exports.settled()).toContain('delivered');
      expect(slack.files.size).toBe(before + 1);
      // Once queued, a further retry is told it is on its way.
      expect(text(await commandWith('U0BOB', `audit ${FILTER}`, trigger, 2))).toContain('already on its way');
    } finally {
      Object.assign(exports.starter, { start });
    }
  });

  it('tells the approver when the upload fails, and shares nothing', async () => {
    const { slack, exports } = ctx();
    const shared = () => [...slack.files.values()].filter((f) => f.completed).length;
    const before = shared();
    slack.faults.chooser = (method) => method === 'files.completeUploadExternal';
    expect(text(await commandWith('U0BOB', `audit ${FILTER}`, slack.issueTrigger('U0BOB')))).toContain('Preparing');
    expect((await exports?.settled())?.at(-1)).toBe('failed');
    expect(shared()).toBe(before);
    const told = slack.messages.filter((m) => m.channel === slack.dmChannelOf('U0BOB')).at(-1);
    expect(told?.text).toContain('could not be delivered, and no file was shared');
  });

  it.each([
    ['U0ALICE', `audit ${FILTER}`, 'Only approvers can export the audit trail.'],
    ['U0EVE', 'audit since 30d', 'Only approvers can export the audit trail.'],
    ['U0BOB', 'audit since last-week', 'is not a time'],
    ['U0BOB', 'audit colour=blue', 'is not a filter'],
  ])('refuses %s’s `/jit %s` at once and starts nothing', async (user, command, expected) => {
    const { slack, exports } = ctx();
    const before = (await exports?.settled())?.length;
    const answer = await commandWith(user, command, slack.issueTrigger(user));
    expect(text(answer)).toContain(expected);
    expect((await exports?.settled())?.length).toBe(before);
  });

  it('offers approvers an export button on Home, which delivers the last 30 days to their DM', async () => {
    const ingress = ctx();
    const { slack, exports } = ingress;
    await openHome(ingress, 'U0BOB');
    expect(buttonsOf(homeOf(ingress, 'U0BOB'))).toContain('jit_audit_export since 30d');
    await openHome(ingress, 'U0ALICE');
    expect(buttonsOf(homeOf(ingress, 'U0ALICE'))).not.toContain('jit_audit_export since 30d');

    const before = new Set(slack.files.keys());
    await ingress.interact(homeClick(ingress, 'U0BOB', 'jit_audit_export', 'since 30d'));
    expect(JSON.stringify(slack.topViewOf('U0BOB')?.view)).toContain('Preparing the audit export');
    expect((await exports?.settled())?.at(-1)).toBe('delivered');
    const file = [...slack.files.values()].find((f) => !before.has(f.id));
    expect(file?.channel).toBe(slack.dmChannelOf('U0BOB'));
    // Forged by someone who approves nothing: refused, nothing exported.
    const count = slack.files.size;
    await ingress.interact(homeClick(ingress, 'U0ALICE', 'jit_audit_export', 'since 30d', { forged: true }));
    expect(JSON.stringify(slack.topViewOf('U0ALICE')?.view)).toContain('Only approvers can export');
    await exports?.settled();
    expect(slack.files.size).toBe(count);
  });
});
