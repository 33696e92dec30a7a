import { WebClient } from '@slack/web-api';
import { SlackDirectory } from '../../lambdas/slack/directory';
import { AccountNotMappedError, SlackLookupError } from '../../lambdas/slack/errors';
import { EXAMPLE_DIRECTORY } from '../../local/slack-api/directory';
import { type SlackApiStandIn, startSlackApi } from '../../local/slack-api/server';

let slack: SlackApiStandIn;
let web: WebClient;
const clock = { now: 0 };

beforeAll(async () => {
  slack = await startSlackApi({
    botToken: 'xoxb-dir',
    directory: {
      ...EXAMPLE_DIRECTORY,
      users: [...EXAMPLE_DIRECTORY.users, { id: 'U0ODD', name: 'odd', realName: 'Odd', email: 'o+dd@example.com', tz: 'UTC' }],
    },
  });
  web = new WebClient('xoxb-dir', { slackApiUrl: slack.url, retryConfig: { retries: 0 } });
});
afterAll(() => slack.close());
beforeEach(() => {
  slack.reset();
  clock.now = 1_000_000;
});

const directory = (emailLocalPart: boolean) =>
  new SlackDirectory({ web, accounts: { map: { U0ALICE: 'alice_admin' }, emailLocalPart, trustedEmailDomains: ['example.com'], people: {} }, now: () => clock.now, groupTtlSeconds: 60 });

describe('SlackDirectory', () => {
  it('maps by the configuration first, with the time zone and name Slack gives', async () => {
    expect(await directory(true).requester('U0ALICE')).toEqual({ slackUserId: 'U0ALICE', ontapAccount: 'alice_admin', zone: 'Europe/Paris', name: 'Alice Storage' });
  });

  it('falls back to the e-mail local part only when enabled, and only for a usable account name', async () => {
    expect((await directory(true).requester('U0EVE')).ontapAccount).toBe('eve');
    await expect(directory(false).requester('U0EVE')).rejects.toThrow(AccountNotMappedError);
    await expect(directory(true).requester('U0ODD')).rejects.toThrow('"o+dd" is not a usable ONTAP account name');
  });

  it('reports a Slack failure as a lookup error', async () => {
    await expect(directory(true).requester('U0NOBODY')).rejects.toThrow(SlackLookupError);
  });

  it('knows user-group members, and asks Slack again only after the cache ages', async () => {
    const dir = directory(false);
    expect([...(await dir.actor('U0ERIN', ['S0STORAGE'])).groups]).toEqual(['S0STORAGE']);
    expect([...(await dir.actor('U0BOB', ['S0STORAGE', 'S0STORAGE'])).groups]).toEqual([]);
    expect(slack.callsTo('usergroups.users.list')).toHaveLength(1);
    clock.now += 59_000;
    await dir.actor('U0ERIN', ['S0STORAGE']);
    expect(slack.callsTo('usergroups.users.list')).toHaveLength(1);
    clock.now += 2_000;
    await dir.actor('U0ERIN', ['S0STORAGE']);
    expect(slack.callsTo('usergroups.users.list')).toHaveLength(2);
    await expect(dir.actor('U0ERIN', ['S0NOSUCH'])).rejects.toThrow(SlackLookupError);
  });
});
