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

const bytes = Buffer.from('a,b\r\n1,2\r\n', 'utf8');
const refused = (error: string) => ({ data: { ok: false, error } });

describe('Slack stand-in: the file upload flow', () => {
  it('shares a file once its bytes are posted and the upload completed, with the comment as its message', async () => {
    const upload = await web.files.getUploadURLExternal({ filename: 'audit.csv', length: bytes.length });
    expect(upload.upload_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/upload\/F/);
    expect(slack.messages).toHaveLength(0);
    const posted = await fetch(String(upload.upload_url), { method: 'POST', body: bytes });
    expect([posted.status, await posted.text()]).toEqual([200, `OK - ${bytes.length}`]);
    const channel = slack.dmChannelOf('U0BOB');
    const done = await web.files.completeUploadExternal({
      files: [{ id: String(upload.file_id), title: 'Audit' }],
      channel_id: channel,
      initial_comment: 'Your export',
    });
    expect(done.files?.[0]).toMatchObject({ id: upload.file_id, title: 'Audit' });
    expect(slack.messages.map((m) => [m.channel, m.text, m.files?.[0]?.title])).toEqual([
      [channel, 'Your export', 'Audit'],
    ]);
    expect(slack.files.get(String(upload.file_id))?.bytes).toEqual(bytes);
  });

  it('refuses what Slack refuses: no length, a file never posted or of another size, one completed twice, an unknown channel', async () => {
    await expect(web.files.getUploadURLExternal({ filename: 'a.csv', length: 0 })).rejects.toMatchObject(
      refused('invalid_arguments'),
    );
    const upload = await web.files.getUploadURLExternal({ filename: 'a.csv', length: bytes.length });
    const files: [{ id: string }] = [{ id: String(upload.file_id) }];
    await expect(web.files.completeUploadExternal({ files })).rejects.toMatchObject(refused('file_not_found'));
    await fetch(String(upload.upload_url), { method: 'POST', body: bytes.subarray(1) });
    await expect(web.files.completeUploadExternal({ files })).rejects.toMatchObject(refused('file_not_found'));
    await fetch(String(upload.upload_url), { method: 'POST', body: bytes });
    await expect(web.files.completeUploadExternal({ files, channel_id: 'D0NOBODY' })).rejects.toMatchObject(
      refused('channel_not_found'),
    );
    await web.files.completeUploadExternal({ files, channel_id: slack.dmChannelOf('U0BOB') });
    await expect(web.files.completeUploadExternal({ files })).rejects.toMatchObject(refused('file_not_found'));
    expect((await fetch(String(upload.upload_url), { method: 'POST', body: bytes })).status).toBe(404);
    expect(slack.messages).toHaveLength(1);
  });
});
