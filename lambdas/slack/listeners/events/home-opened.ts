/**
 * The Home tab: published when the person opens it (`app_home_opened`, Home tab only) and after each
 * of their actions taken from it. Each publish reads the store afresh, so a Slack retry, a doubled or
 * a late event publishes the same truth again; the last publish wins and the next opening refreshes.
 */
import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { homeOf } from '../../../lifecycle/home';
import { homeView } from '../../blocks/home';
import { SlackLookupError } from '../../errors';
import { parsePayload } from '../../payloads';
import type { SlackServices } from '../../services';
import { answering } from '../respond';

const HomeOpenedSchema = z.object({
  type: z.literal('app_home_opened'),
  user: z.string().regex(/^[UW][A-Z0-9]{2,20}$/),
  tab: z.string().optional(),
});

/** Reads what `userId` should see on their Home tab now and publishes it. */
export async function publishHome(s: SlackServices, userId: string): Promise<void> {
  const home = await homeOf(s.ports, userId);
  const view = homeView(home, s.config.slack.approvalChannel, s.now().toMillis());
  try {
    await s.web.views.publish({ user_id: userId, view });
  } catch (error) {
    throw new SlackLookupError('views.publish', { cause: error });
  }
}

/** The `app_home_opened` listener: publishes the Home tab when it is the one opened (not Messages or About). */
export function homeOpened(s: SlackServices) {
  return async ({ event }: SlackEventMiddlewareArgs<'app_home_opened'> & AllMiddlewareArgs): Promise<void> => {
    // Nobody waits for an answer to an event: a failure is logged, and the next opening tries again.
    await answering({ what: 'home publish', logger: s.logger }, async () => {
      const opened = parsePayload(HomeOpenedSchema, event, 'app_home_opened event');
      if (opened.tab !== undefined && opened.tab !== 'home') return;
      await publishHome(s, opened.user);
    });
  };
}
