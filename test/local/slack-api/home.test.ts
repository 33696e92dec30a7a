import { WebClient } from '@slack/web-api';
import { blockKitProblems } from '../../../local/slack-api/block-limits';
import { type SlackApiStandIn, startSlackApi } from '../../../local/slack-api/server';

let slack: SlackApiStandIn;
let web: WebClient;

beforeAll(async () => {
  slack = await startSlackApi({ botToken: 'xoxb-test' });
  web = new WebClient('xoxb-test', { slackApiUrl: slack.url, retryConfig: { retries: 0 } });
});
afterAll(() => slack.close());
beforeEach(() => slack.reset());

const section = (text: string) => ({ type: 'section', text: { type: 'mrkdwn', text } });

describe('views.publish on the Slack stand-in', () => {
  it('keeps one Home view per person, replaced by each publish, refusing a stale hash', async () => {
    const first = await web.views.publish({ user_id: 'U0ALICE', view: { type: 'home', blocks: [section('one')] } });
    const second = await web.views.publish({ user_id: 'U0ALICE', view: { type: 'home', blocks: [section('two')] } });
    expect(second.view?.id).toBe(first.view?.id);
    expect(slack.homes.get('U0ALICE')).toMatchObject({ published: 2, view: { blocks: [section('two')] } });
    await expect(
      web.views.publish({ user_id: 'U0ALICE', hash: first.view?.hash, view: { type: 'home', blocks: [] } }),
    ).rejects.toMatchObject({ data: { error: 'hash_conflict' } });
    await web.views.publish({ user_id: 'U0ALICE', hash: second.view?.hash, view: { type: 'home', blocks: [] } });
    expect(slack.homes.get('U0ALICE')?.published).toBe(3);
    expect(slack.homes.get('U0BOB')).toBeUndefined();
  });

  it('refuses what Slack refuses: an unknown user, a modal, a view over Block Kit limits', async () => {
    await expect(web.views.publish({ user_id: 'U0NOBODY', view: { type: 'home', blocks: [] } })).rejects.toMatchObject({
      data: { error: 'user_not_found' },
    });
    await expect(
      web.views.publish({
        user_id: 'U0ALICE',
        view: { type: 'modal', title: { type: 'plain_text', text: 'x' }, blocks: [] },
      }),
    ).rejects.toMatchObject({ data: { error: 'invalid_arguments' } });
    const many = Array.from({ length: 101 }, (_, i) => section(`line ${i}`));
    await expect(web.views.publish({ user_id: 'U0ALICE', view: { type: 'home', blocks: many } })).rejects.toMatchObject(
      { data: { error: 'invalid_blocks' } },
    );
    expect(slack.homes.get('U0ALICE')).toBeUndefined();
  });

  it('views.update finds the view by its id, not the first view lacking an external id', async () => {
    const a = slack.issueTrigger('U0ALICE');
    const b = slack.issueTrigger('U0BOB');
    const modal = (text: string) => ({
      type: 'modal' as const,
      title: { type: 'plain_text' as const, text },
      blocks: [],
    });
    await web.views.open({ trigger_id: a, view: modal('first') });
    const second = await web.views.open({ trigger_id: b, view: modal('second') });
    await web.views.update({ view_id: second.view?.id ?? '', hash: second.view?.hash ?? '', view: modal('changed') });
    expect([...slack.views.values()].map((v) => (v.view.title as { text: string }).text)).toEqual(['first', 'changed']);
  });
});

describe('Block Kit limits', () => {
  it('names every problem: too many blocks, long texts, duplicate ids, too many elements', () => {
    const long = 'x'.repeat(3001);
    const button = (id: string, text = 'ok') => ({ type: 'button', action_id: id, text: { type: 'plain_text', text } });
    const problems = blockKitProblems(
      [
        section(long),
        { type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } },
        { type: 'actions', block_id: 'a', elements: [button('same'), button('same', 'b'.repeat(76))] },
        { type: 'actions', block_id: 'a', elements: Array.from({ length: 26 }, (_, i) => button(`b${i}`)) },
        { type: 'section', text: { type: 'mrkdwn', text: 'ok' }, accessory: button('c', 'c'.repeat(80)) },
      ],
      'message',
    );
    expect(problems).toEqual([
      'blocks[0] text: 3001 characters (at most 3000)',
      'blocks[1] text: 151 characters (at most 150)',
      'blocks[2].elements[1] text: 76 characters (at most 75)',
      'blocks[2] action_id same is not unique in its block',
      'blocks[3] block_id a is not unique',
      'blocks[3] has 26 elements',
      'blocks[4].accessory text: 80 characters (at most 75)',
    ]);
    expect(
      blockKitProblems(
        Array.from({ length: 51 }, () => section('x')),
        'message',
      ),
    ).toEqual(['51 blocks (at most 50)']);
    expect(
      blockKitProblems(
        Array.from({ length: 100 }, () => section('x')),
        'home',
      ),
    ).toEqual([]);
  });
});
