import { parse } from 'csv-parse/sync';
import { BadFilterError } from '../../lambdas/audit-export/errors';
import { parseFilterText } from '../../lambdas/audit-export/filter';
import { CSV_COLUMNS, toCsv, UTF8_BOM } from '../../lambdas/audit-export/format';
import { buildRow, type ExportRow, type RequestTrail, rowsOf } from '../../lambdas/audit-export/rows';
import { requestedEvent, toAuditEvent } from '../../lambdas/store/audit-trail';
import type { AuditEvent } from '../../lambdas/store/items';
import { at, pendingRequest } from '../support/requests';

const NOW = '2026-12-01T00:00:00Z';

/** The trail the store writes for a revoked grant, with a digest and a second approver. */
function revokedTrail(): RequestTrail {
  const request = pendingRequest({ approvalsRequired: 2 });
  const events: AuditEvent[] = [requestedEvent(request, 'U0ALICE')];
  const add = (event: Parameters<typeof toAuditEvent>[2], from: string, to: string) =>
    events.push(toAuditEvent(request.id, events.length, event, from as never, to as never));
  add({ type: 'APPROVE', by: 'U0BOB', at: at(1) }, 'PENDING', 'PENDING');
  add({ type: 'APPROVE', by: 'U0CAROL', at: at(2) }, 'PENDING', 'APPROVED');
  add({ type: 'GRANTED', at: at(3), window: { start: at(3), end: at(63) } }, 'APPROVED', 'ACTIVE');
  add({ type: 'REVOKE_REQUESTED', by: 'U0CAROL', at: at(20) }, 'ACTIVE', 'ACTIVE');
  add({ type: 'REVOKED', at: at(20), alreadyGone: false }, 'ACTIVE', 'REVOKED');
  events.push({
    requestId: request.id,
    seq: events.length,
    at: at(21),
    type: 'ACTIVITY_DIGEST',
    to: 'REVOKED',
    detail: '12 commands',
  });
  return { requestId: request.id, events };
}

describe('export rows', () => {
  it('builds a row from the audit trail alone: who asked for what, the window, approvals, who ended it, the digest', () => {
    const row = buildRow(revokedTrail());
    expect(row).toMatchObject({
      requesterSlackId: 'U0ALICE',
      requesterOntapAccount: 'alice',
      cluster: 'cluster1',
      svm: 'svm1',
      role: 'vsadmin',
      windowStart: at(3),
      windowEnd: at(63),
      approvals: [
        { by: 'U0BOB', at: at(1) },
        { by: 'U0CAROL', at: at(2) },
      ],
      status: 'REVOKED',
      outcome: 'revoked before its end',
      endedBy: 'U0CAROL',
      endedAt: at(20),
      digest: '12 commands',
      breakGlass: false,
      missing: [],
    });
  });

  it('takes an old trail’s request fields from the request item, and says what the archive lacks without it', () => {
    const trail = revokedTrail();
    const { facts: _none, ...bare } = trail.events[0] as AuditEvent;
    const old = [bare, ...trail.events.slice(1).map(({ facts: _f, ...e }) => e)];
    const fromArchive = buildRow({ requestId: trail.requestId, events: old });
    expect(fromArchive.missing).toEqual(['ontapAccount', 'cluster', 'svm', 'role', 'policy', 'durationSeconds']);
    expect(fromArchive.requesterSlackId).toBe('U0ALICE');
    // The window of a GRANTED event recorded before facts is read from its detail.
    expect([fromArchive.windowStart, fromArchive.windowEnd]).toEqual([at(3), at(63)]);
    const asked = {
      slackUserId: 'U0ALICE',
      ontapAccount: 'alice',
      cluster: 'cluster1',
      svm: 'svm1',
      role: 'vsadmin',
      policy: 'p',
      durationSeconds: 3600,
    };
    const fromTable = buildRow({ requestId: trail.requestId, events: old, asked });
    expect(fromTable).toMatchObject({ missing: [], cluster: 'cluster1', role: 'vsadmin' });
  });

  it('shows break-glass from the event facts or types that mark it', () => {
    const trail = revokedTrail();
    const [first, ...rest] = trail.events as [AuditEvent, ...AuditEvent[]];
    const marked = { ...first, facts: { ...first.facts, breakGlass: true } };
    expect(buildRow({ requestId: trail.requestId, events: [marked, ...rest] }).breakGlass).toBe(true);
    const typed = [...trail.events, { ...first, seq: 99, type: 'BREAK_GLASS_REVIEWED', at: at(30) }];
    expect(buildRow({ requestId: trail.requestId, events: typed }).breakGlass).toBe(true);
  });

  it('selects by time range, cluster, SVM, person (requester, ONTAP account or approver) and status', () => {
    const trails = [revokedTrail()];
    const rows = (text: string) => rowsOf(trails, parseFilterText(text, NOW)).length;
    expect(rows('since 30d')).toBe(1);
    expect(rows('since 2026-11-23')).toBe(0);
    expect(rows('since 30d cluster=cluster1 svm=svm1 status=revoked')).toBe(1);
    expect(rows('since 30d cluster=cluster2')).toBe(0);
    expect(rows('since 30d person=<@U0CAROL|carol>')).toBe(1);
    expect(rows('since=30d person=alice')).toBe(1);
    expect(rows('since 30d person=@U0DAVE')).toBe(0);
    expect(rows('since 30d status=DENIED')).toBe(0);
  });

  it.each([
    ['since 30d colour=blue', /not a filter/],
    ['since yesterday', /not a time/],
    ['status=GONE', /Unknown status/],
    ['since 2026-11-30 until 2026-11-01', /must be before/],
    ['cluster', /needs a value/],
    ['since 2000d', /longer than/],
  ])('refuses %j with a clear error', (text, message) => {
    expect(() => parseFilterText(text, NOW)).toThrow(BadFilterError);
    expect(() => parseFilterText(text, NOW)).toThrow(message);
  });
});

describe('CSV', () => {
  it('opens with a header and one row per request, whatever the cells hold', () => {
    const awkward: ExportRow = {
      ...buildRow(revokedTrail()),
      outcome: 'said "no", then\nchanged, their mind',
      digest: '=HYPERLINK("http://evil")',
      requesterOntapAccount: '@alice',
      role: '+vsadmin',
      svm: '-svm1',
      cluster: 'clüster ✓',
    };
    const csv = toCsv([awkward, buildRow(revokedTrail())]);
    expect(csv.startsWith(UTF8_BOM)).toBe(true);
    const records: string[][] = parse(csv, { bom: true, relax_quotes: false });
    expect(records).toHaveLength(3);
    expect(records[0]).toEqual([...CSV_COLUMNS]);
    const [header, first] = records as [string[], string[]];
    const cell = (name: string) => first[header.indexOf(name)];
    expect(cell('outcome')).toBe('said "no", then\nchanged, their mind');
    expect(cell('digest')).toBe(`'=HYPERLINK("http://evil")`);
    expect(cell('requester_ontap_account')).toBe(`'@alice`);
    expect(cell('role')).toBe(`'+vsadmin`);
    expect(cell('svm')).toBe(`'-svm1`);
    expect(cell('cluster')).toBe('clüster ✓');
    expect(cell('approvals')).toBe(`U0BOB ${at(1)}; U0CAROL ${at(2)}`);
  });
});
