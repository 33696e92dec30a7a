import { LogLevel, WebClient } from '@slack/web-api';
import { loadConfig } from '../../lambdas/config/load';
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
      users: [
        ...EXAMPLE_DIRECTORY.users,
        { id: 'U0ODD', name: 'odd', realName: 'Odd', email: 'o+dd@example.com', tz: 'UTC' },
      ],
    },
  });
  web = new WebClient('xoxb-dir', { slackApiUrl: slack.url, retryConfig: { retries: 0 } });
});
afterAll(() => slack.close());
beforeEach(() => {
  slack.reset();
  clock.now = 1_000_000;
});

/** A policy anyone may ask under (the example configuration's first). */
const POLICY = (() => {
  const policy = loadConfig().policies[0];
  if (!policy) throw new Error('the example configuration has no policy');
  return policy;
})();

const directory = (emailLocalPart: boolean) =>
  new SlackDirectory({
    web,
    accounts: { map: { U0ALICE: 'alice_admin' }, emailLocalPart, trustedEmailDomains: ['example.com'], people: {} },
    now: () => clock.now,
    groupTtlSeconds: 60,
  });

describe('SlackDirectory', () => {
  it('maps by the configuration first, with the time zone and name Slack gives', async () => {
    expect(await directory(true).requester('U0ALICE')).toEqual({
      slackUserId: 'U0ALICE',
      ontapAccount: 'alice_admin',
      zone: 'Europe/Paris',
      name: 'Alice Storage',
    });
  });

  it('falls back to the e-mail local part only when enabled, and only for a usable account name', async () => {
    expect((await directory(true).requester('U0EVE')).ontapAccount).toBe('eve');
    await expect(directory(false).requester('U0EVE')).rejects.toThrow(AccountNotMappedError);
    await expect(directory(true).requester('U0ODD')).rejects.toThrow('"o+dd" is not a usable ONTAP account name');
  });

  it('takes a user Slack no longer knows for a deactivated one, and reports an unreachable Slack as a lookup error', async () => {
    await expect(directory(true).requester('U0NOBODY')).rejects.toThrow('deactivated or a bot');
    const offline = new SlackDirectory({
      web: new WebClient('xoxb-dir', {
        slackApiUrl: 'http://127.0.0.1:9/api/',
        retryConfig: { retries: 0 },
        logLevel: LogLevel.ERROR,
      }),
      accounts: { map: {}, emailLocalPart: false, trustedEmailDomains: [], people: {} },
      now: () => clock.now,
    });
    await expect(offline.requester('U0ALICE')).rejects.toThrow(SlackLookupError);
  });

  it('reads account status from users.info: guests, deactivated users', async () => {
    const dir = directory(true);
    expect((await dir.identity('U0GUEST')).status).toBe('guest');
    expect((await dir.identity('U0GONE')).status).toBe('deactivated');
    expect((await dir.identity('U0EVE')).status).toBe('active');
    await expect(dir.requester('U0GONE')).rejects.toThrow(AccountNotMappedError);
    // A guest maps like anyone else; whether they may ask is the policy's to say.
    expect((await dir.actor('U0GUEST', [])).status).toBe('guest');
  });

  it('turns only confirmed addresses of trusted domains into accounts, and says why not', async () => {
    await expect(directory(true).requester('U0GUEST')).rejects.toThrow(
      'gus@partner.example is not in a trusted e-mail domain (example.com), so it names no ONTAP account',
    );
  });

  it('knows a person by ONTAP account, e-mail and grouping', async () => {
    const dir = new SlackDirectory({
      web,
      accounts: {
        map: { U0BOB: 'bob', U0BOBADM: 'bob' },
        emailLocalPart: false,
        trustedEmailDomains: [],
        people: { bob: ['U0BOB', 'U0BOBADM'] },
      },
      now: () => clock.now,
    });
    expect((await dir.identity('U0BOB')).keys).toEqual([
      'slack:U0BOB',
      'ontap:bob',
      'email:bob@example.com',
      'person:bob',
    ]);
    expect((await dir.identity('U0BOBADM')).keys).toEqual([
      'slack:U0BOBADM',
      'ontap:bob',
      'email:bob-adm@example.com',
      'person:bob',
    ]);
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
    // Asked afresh for a decision, whatever the cache holds.
    await dir.actor('U0ERIN', ['S0STORAGE'], { fresh: true });
    expect(slack.callsTo('usergroups.users.list')).toHaveLength(3);
  });

  it('keeps a profile a minute for the form, but asks afresh for decisions and requester checks', async () => {
    const dir = directory(false);
    expect((await dir.asker('U0ALICE', [])).requester.ontapAccount).toBe('alice_admin');
    await dir.asker('U0ALICE', []);
    await dir.actor('U0ALICE', []);
    expect(slack.callsTo('users.info')).toHaveLength(1);
    // Decisions and the checks before access changes never read the cache.
    await dir.actor('U0ALICE', [], { fresh: true });
    await dir.requesterNow('U0ALICE', POLICY);
    expect(slack.callsTo('users.info')).toHaveLength(3);
    // A person deactivated meanwhile: the form may still open within the minute; once it has passed, not any more.
    const alice = EXAMPLE_DIRECTORY.users.find((u) => u.id === 'U0ALICE');
    if (!alice) throw new Error('no alice in the example directory');
    slack.setUser({ ...alice, deleted: true });
    try {
      clock.now += 59_000;
      await expect(dir.asker('U0ALICE', [])).resolves.toBeDefined();
      clock.now += 2_000;
      await expect(dir.asker('U0ALICE', [])).rejects.toBeInstanceOf(AccountNotMappedError);
      expect((await dir.actor('U0ALICE', [], { fresh: true })).status).toBe('deactivated');
    } finally {
      slack.setUser(alice);
    }
  });

  it('asks for the person and their groups at once', async () => {
    let inFlight = 0;
    let most = 0;
    const counting = new Proxy(web, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property, target);
        if (property !== 'users' && property !== 'usergroups') return value;
        return wrap(value as object);
      },
    });
    function wrap(api: object): object {
      return new Proxy(api, {
        get(target, property) {
          const value: unknown = Reflect.get(target, property, target);
          if (typeof value === 'object' && value !== null) return wrap(value);
          if (typeof value !== 'function') return value;
          return async (...args: unknown[]) => {
            inFlight += 1;
            most = Math.max(most, inFlight);
            try {
              return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
            } finally {
              inFlight -= 1;
            }
          };
        },
      });
    }
    const parallel = new SlackDirectory({
      web: counting,
      accounts: { map: { U0ERIN: 'erin' }, emailLocalPart: false, trustedEmailDomains: [], people: {} },
      now: () => clock.now,
    });
    await parallel.asker('U0ERIN', ['S0STORAGE']);
    expect(most).toBe(2);
    most = 0;
    await parallel.requesterNow('U0ERIN', { ...POLICY, requesters: { users: [], groups: ['S0STORAGE'] } });
    expect(most).toBe(2);
  });

  it('skips a user group Slack cannot resolve, and reports it, keeping the others', async () => {
    const unresolved: string[] = [];
    const dir = new SlackDirectory({
      web,
      accounts: { map: {}, emailLocalPart: false, trustedEmailDomains: [], people: {} },
      now: () => clock.now,
      onUnresolvedGroup: (group, problem) => unresolved.push(`${group}:${problem}`),
    });
    expect([...(await dir.actor('U0ERIN', ['S0NOSUCH', 'S0STORAGE'])).groups]).toEqual(['S0STORAGE']);
    expect(unresolved).toEqual(['S0NOSUCH:no_such_subteam']);
  });
});
