/** The digest's thread replies: within Block Kit's limits whatever the log holds, and cluster text shown as text. */
import { buildDigest, type LoggedCommand } from '../../lambdas/domain/digest';
import {
  digestAbandonedMessage,
  digestMessage,
  digestUnreadableMessage,
} from '../../lambdas/slack/blocks/digest-messages';
import { checkBlockKit } from '../notifications/block-kit-limits';
import { pendingRequest } from '../support/requests';

const window = { from: '2026-03-01T12:00:00Z', to: '2026-03-01T14:00:00Z' };
const cmd = (input: string, extra: Partial<LoggedCommand> = {}): LoggedCommand => ({
  at: '2026-03-01T12:30:00Z',
  input,
  state: 'success',
  sessionId: 's1',
  message: null,
  ...extra,
});

describe('the digest reply', () => {
  it('stays within Block Kit’s limits with 500 long commands, 500 failures and every one destructive', () => {
    const long = 'x'.repeat(4000);
    const logged = Array.from({ length: 500 }, (_, i) =>
      cmd(`volume delete -volume v${i} -comment ${long}`, { state: 'error', message: long }),
    );
    const message = digestMessage(pendingRequest(), buildDigest(logged), window);
    expect(checkBlockKit({ text: message.text, blocks: message.blocks })).toEqual([]);
    const text = JSON.stringify(message.blocks);
    expect(text).toMatch(/…and \d+ more/);
    expect(text).toContain('*500 destructive*');
  });

  it('shows commands and messages from the cluster as text: no mention, link or broken code span', () => {
    const logged = [
      cmd('volume modify -comment <!channel> `x` <https://evil|click>', { state: 'error', message: '<@U0BOB>' }),
    ];
    const text = JSON.stringify(digestMessage(pendingRequest(), buildDigest(logged), window).blocks);
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('<@U0BOB>');
    expect(text).not.toContain('<https://evil');
    expect(text).toContain("&lt;!channel&gt; 'x'");
  });

  it('says when the log could not be read, and when it was given up', () => {
    const unreadable = digestUnreadableMessage(pendingRequest(), 'ONTAP GET /api/security/audit/messages: 403 <!here>');
    expect(JSON.stringify(unreadable.blocks)).toContain('The digest follows here when it can be read');
    expect(JSON.stringify(unreadable.blocks)).not.toContain('<!here>');
    expect(JSON.stringify(digestAbandonedMessage(pendingRequest(), 6).blocks)).toContain('for 6 hours');
  });
});
