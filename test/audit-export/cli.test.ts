import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { parse } from 'csv-parse/sync';
import { archiveKeyOf } from '../../lambdas/archive/layout';
import { useDynamo } from '../support/dynamo';
import { ArchiveCopy, audit, lifecycle, NOW, REVOKED_STEPS, tableSource } from './support';

const ctx = useDynamo();
const RANGE = { since: '2026-11-01T00:00:00Z', until: NOW };

describe('npm run audit', () => {
  let ids: string[] = [];

  beforeAll(async () => {
    const { store } = ctx();
    const revoked = await lifecycle(store, '2026-11-20T09:00:00Z', REVOKED_STEPS);
    const denied = await lifecycle(store, '2026-11-21T09:00:00Z', [
      (t) => ({ type: 'DENY', by: 'U0BOB', at: t(5), reason: 'not during the freeze, "really"' }),
    ]);
    const other = await lifecycle(store, '2026-11-22T09:00:00Z', REVOKED_STEPS, {
      cluster: 'cluster2',
      requester: { slackUserId: 'U0DAVE', ontapAccount: 'dave' },
    });
    // Made before the range: not exported even though its trail continues into it.
    const before = await lifecycle(store, '2026-10-31T23:30:00Z', REVOKED_STEPS);
    ids = [revoked.id, denied.id, other.id, before.id];
  });

  it('exports one CSV row per request made in the range, oldest first', async () => {
    const { dynamo } = ctx();
    const { code, out, err } = await audit(['--since', '2026-11-01', '--format', 'csv'], {
      table: tableSource(dynamo),
    });
    expect(code).toBe(0);
    const [header, ...rows] = parse(out, { bom: true }) as string[][];
    expect(rows.map((r) => r[0])).toEqual(ids.slice(0, 3));
    const cell = (row: string[] | undefined, name: string) => row?.[header?.indexOf(name) ?? -1];
    expect(cell(rows[0], 'ended_by')).toBe('U0ALICE');
    expect(cell(rows[0], 'approvals')).toBe('U0BOB 2026-11-20T09:01:00Z');
    expect(cell(rows[1], 'outcome')).toBe('not during the freeze, "really"');
    expect(err).toContain('3 request(s)');
  });

  it('filters by cluster, person and status, and writes JSON', async () => {
    const { dynamo } = ctx();
    const table = tableSource(dynamo);
    const json = async (...flags: string[]) =>
      JSON.parse((await audit(['--since', '30d', '--format', 'json', ...flags], { table })).out) as {
        request: string;
      }[];
    expect((await json('--cluster', 'cluster2')).map((r) => r.request)).toEqual([ids[2]]);
    expect((await json('--person', 'dave')).map((r) => r.request)).toEqual([ids[2]]);
    expect((await json('--person', 'U0BOB', '--status', 'denied')).map((r) => r.request)).toEqual([ids[1]]);
  });

  it.each([
    [['--format', 'xlsx'], /--format is csv or json/],
    [['--since', 'last week'], /not a time/],
    [['--colour'], /Unknown option/],
    [['--verify', '--cluster', 'c'], /takes --since and --until only/],
  ])('refuses %j with the usage and exit code 2', async (flags, message) => {
    const { dynamo } = ctx();
    const { code, err, out } = await audit(flags, { table: tableSource(dynamo) });
    expect(code).toBe(2);
    expect(err).toMatch(message);
    expect(err).toContain('usage: npm run audit');
    expect(out).toBe('');
  });

  it('gives the same rows from the table and from the archive’s copy of the trail', async () => {
    const { dynamo } = ctx();
    const table = tableSource(dynamo);
    const archive = await ArchiveCopy.of(table, { since: '2026-10-01T00:00:00Z', until: NOW });
    const fromTable = await audit(['--since', '2026-11-01', '--format', 'json'], { table, archive });
    const fromArchive = await audit(['--since', '2026-11-01', '--format', 'json', '--from-archive'], {
      table,
      archive,
    });
    expect(fromArchive.code).toBe(0);
    expect(JSON.parse(fromArchive.out)).toEqual(JSON.parse(fromTable.out));
  });

  describe('--verify', () => {
    it('finds nothing when the archive holds the table’s trail', async () => {
      const { dynamo } = ctx();
      const table = tableSource(dynamo);
      const archive = await ArchiveCopy.of(table, RANGE);
      const { code, err } = await audit(['--verify', '--since', '2026-11-01'], { table, archive });
      expect(err).toContain('0 finding(s)');
      expect(code).toBe(0);
    });

    it('finds an event deleted from the table, one altered in the archive, one forged into it and one not archived', async () => {
      const { dynamo, store } = ctx();
      const table = tableSource(dynamo);
      const archive = await ArchiveCopy.of(table, RANGE);
      const [revoked, denied] = ids;
      await dynamo.client.send(
        new DeleteItemCommand({
          TableName: dynamo.tableName,
          Key: { pk: { S: `REQ#${revoked}` }, sk: { S: 'AUDIT#000001' } },
        }),
      );
      const deny = (await store.auditTrail(denied ?? '')).find((e) => e.type === 'DENY');
      if (!deny) throw new Error('no DENY event');
      archive.objects.set(archiveKeyOf(deny), `${JSON.stringify({ ...deny, actor: 'U0MALLORY' })}\n`);
      const forged = { ...deny, requestId: 'FORGED-0001', seq: 0 };
      archive.objects.set(archiveKeyOf(forged), `${JSON.stringify(forged)}\n`);

      // Recorded after the archive was copied: not archived yet.
      const late = await lifecycle(store, '2026-11-25T09:00:00Z', []);

      const { code, out } = await audit(['--verify', '--since', '2026-11-01'], { table, archive });
      expect(code).toBe(1);
      const lines = out.trim().split('\n');
      expect(lines).toHaveLength(4);
      expect(lines).toEqual(
        expect.arrayContaining([
          expect.stringContaining(`in the archive, not in the table (deleted from it?): ${revoked} #1 APPROVE`),
          expect.stringMatching(new RegExp(`^different: ${denied} #1 .*U0MALLORY`)),
          expect.stringContaining('in the archive, not in the table (deleted from it?): FORGED-0001 #0 DENY'),
          expect.stringContaining(`not in the archive: ${late.id} #0 REQUESTED`),
        ]),
      );
    });
  });
});
