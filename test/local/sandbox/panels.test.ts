import { cell, toTable } from '../../../local/sandbox/panels';

describe('side panel tables', () => {
  it('turn records into columns (the union of their fields, in order of appearance)', () => {
    expect(
      toTable('JIT', [
        { owner: { name: 'svm1', uuid: 'u1' }, account: 'alice', role: 'vsadmin', end_time: '2025-01-01T14:00:00Z' },
        { owner: { name: 'svm1', uuid: 'u1' }, account: 'dave', state: 'active' },
      ]),
    ).toEqual({
      title: 'JIT',
      columns: ['owner', 'account', 'role', 'end_time', 'state'],
      rows: [
        ['svm1', 'alice', 'vsadmin', '2025-01-01T14:00:00Z', ''],
        ['svm1', 'dave', '', '', 'active'],
      ],
    });
  });

  it("read ONTAP's {records} collections and other wrapped lists", () => {
    expect(toTable('t', { records: [{ name: 'svm1' }], num_records: 1 }).rows).toEqual([['svm1']]);
    expect(toTable('t', { events: [{ at: 1, type: 'APPROVED' }] })).toMatchObject({
      columns: ['at', 'type'],
      rows: [['1', 'APPROVED']],
    });
    expect(toTable('t', { records: [] })).toEqual({ title: 't', columns: [], rows: [], note: 'Nothing yet.' });
  });

  it('take explicit columns and rows, lists of values, one object, or anything else as a note', () => {
    expect(toTable('t', { columns: ['a', 'b'], rows: [[1, null], 'x'] })).toEqual({
      title: 't',
      columns: ['a', 'b'],
      rows: [['1', ''], ['x']],
    });
    expect(toTable('t', ['x', 2])).toEqual({ title: 't', columns: ['value'], rows: [['x'], ['2']] });
    expect(toTable('t', { status: 'ACTIVE', approvals: ['U0BOB'] })).toEqual({
      title: 't',
      columns: ['field', 'value'],
      rows: [
        ['status', 'ACTIVE'],
        ['approvals', 'U0BOB'],
      ],
    });
    expect(toTable('t', 'Select a request message to see its audit trail.')).toEqual({
      title: 't',
      columns: [],
      rows: [],
      note: 'Select a request message to see its audit trail.',
    });
    expect(toTable('t', null).note).toBe('Nothing yet.');
  });

  it('write cells as text', () => {
    expect([cell(undefined), cell(true), cell(3), cell([1, { name: 'n' }]), cell({ a: 1 })]).toEqual([
      '',
      'true',
      '3',
      '1, n',
      '{"a":1}',
    ]);
  });
});
