/** The Slack stand-in refuses messages and modals over Block Kit's limits, as Slack does, and changes nothing. */
import { WebClient } from '@slack/web-api';
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
const sections = (n: number) => Array.from({ length: n }, (_, i) => section(`line ${i}`));
const modal = (blocks: unknown[]) => ({
  type: 'modal' as const,
  title: { type: 'plain_text' as const, text: 'Request access' },
  blocks: blocks as never,
});
const refused = { data: { error: 'invalid_blocks' } };

describe('Block Kit limits on the Slack stand-in', () => {
  it('takes a message of 50 blocks and refuses one of 51, posting nothing', async () => {
    await web.chat.postMessage({ channel: 'C0APPROVALS', text: 'ok', blocks: sections(50) as never });
    await expect(
      web.chat.postMessage({ channel: 'C0APPROVALS', text: 'too long', blocks: sections(51) as never }),
    ).rejects.toMatchObject(refused);
    expect(slack.messages.map((m) => m.text)).toEqual(['ok']);
  });

  it('refuses an edit or an ephemeral message over the limits, leaving the message as it was', async () => {
    const posted = await web.chat.postMessage({ channel: 'C0APPROVALS', text: 'first', blocks: [section('a')] });
    const long = section('x'.repeat(3001));
    await expect(
      web.chat.update({ channel: 'C0APPROVALS', ts: posted.ts as string, text: 'edited', blocks: [long] as never }),
    ).rejects.toMatchObject(refused);
    expect(slack.messages[0]).toMatchObject({ text: 'first', edited: 0 });
    await expect(
      web.chat.postEphemeral({ channel: 'C0APPROVALS', user: 'U0ALICE', text: 'e', blocks: [long] as never }),
    ).rejects.toMatchObject(refused);
    expect(slack.messages).toHaveLength(1);
  });

  it('refuses a modal of 101 blocks on views.open and views.update, keeping its trigger and the open view', async () => {
    const trigger = slack.issueTrigger('U0ALICE');
    await expect(web.views.open({ trigger_id: trigger, view: modal(sections(101)) })).rejects.toMatchObject(refused);
    const opened = await web.views.open({ trigger_id: trigger, view: modal(sections(100)) });
    const id = opened.view?.id as string;
    await expect(web.views.update({ view_id: id, view: modal(sections(101)) })).rejects.toMatchObject(refused);
    expect(slack.views.get(id)?.view.blocks).toHaveLength(100);
  });
});
