import { parseCommandText } from '../../lambdas/slack/command-text';

describe('parseCommandText', () => {
  it('reads the subcommands', () => {
    expect(parseCommandText('')).toEqual({ kind: 'open' });
    expect(parseCommandText('   ')).toEqual({ kind: 'open' });
    expect(parseCommandText('help')).toEqual({ kind: 'help' });
    expect(parseCommandText(' LIST ')).toEqual({ kind: 'list' });
    expect(parseCommandText('audit since 30d person=<@U0BOB|bob>')).toEqual({
      kind: 'audit',
      filter: 'since 30d person=<@U0BOB|bob>',
    });
    expect(parseCommandText('audit')).toEqual({ kind: 'audit', filter: '' });
    expect(parseCommandText('auditors vsadmin 1h why').kind).toBe('request');
    expect(parseCommandText('svm1 vsadmin')).toEqual({ kind: 'unknown' });
  });

  it('reads a one-line request, with or without the cluster, keeping the justification as typed', () => {
    expect(parseCommandText('cluster1/svm1 vsadmin 2h fix  snapmirror\nnow')).toEqual({
      kind: 'request',
      draft: {
        cluster: 'cluster1',
        svm: 'svm1',
        role: 'vsadmin',
        duration: '2h',
        justification: 'fix  snapmirror\nnow',
        start: { mode: 'now' },
      },
    });
    expect(parseCommandText('svm1 vsadmin PT90M resync')).toMatchObject({
      kind: 'request',
      draft: { svm: 'svm1', duration: 'PT90M' },
    });
    expect(parseCommandText('svm1 vsadmin PT90M resync')).not.toHaveProperty('draft.cluster');
  });
});
