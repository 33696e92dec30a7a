/**
 * The Home tab's buttons run the messages' own listeners (one code path, one set of checks): these
 * wrappers only adapt what differs on Home. A click on Home has no response_url, so what the listener
 * would answer ephemerally is shown in a small modal instead; and once the listener is done, the
 * person's Home is published again, so it shows what their click changed. A modal opened from Home
 * (the deny reason, the request form) republishes it when submitted.
 */
import type {
  AllMiddlewareArgs,
  BlockAction,
  RespondArguments,
  RespondFn,
  SlackActionMiddlewareArgs,
  SlackViewMiddlewareArgs,
  ViewSubmitAction,
} from '@slack/bolt';
import type { KnownBlock } from '@slack/web-api';
import { z } from 'zod';
import { noticeView } from '../../blocks/home';
import type { SlackServices } from '../../services';
import { publishHome } from '../events/home-opened';

type ActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;
type ViewArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/** Whether a click came from the person's Home tab. */
export function clickedOnHome(body: unknown): boolean {
  return z.object({ view: z.object({ type: z.literal('home') }) }).safeParse(body).success;
}

/** Publishes the person's Home again; a failure only logs (the next opening of the tab refreshes it). */
export async function refreshHome(s: SlackServices, userId: string): Promise<void> {
  try {
    await publishHome(s, userId);
  } catch (error) {
    s.logger.warn({ msg: 'home not refreshed', user: userId, error: String(error) });
  }
}

/** Answers a Home click in a modal (opened with the click's trigger), since there is no message to answer under. */
export function modalRespond(s: SlackServices, triggerId: string): RespondFn {
  return async (message: string | RespondArguments) => {
    const text = typeof message === 'string' ? message : (message.text ?? '');
    const blocks = typeof message === 'string' ? undefined : blocksOf(message);
    await s.web.views.open({ trigger_id: triggerId, view: noticeView(text, blocks) });
    // What respond() answers is Slack's HTTP answer to the post; the listeners never read it.
    return new Response(null, { status: 200 });
  };
}

/** The blocks of an answer the listeners built themselves (noticeReply and the like). */
function blocksOf(message: RespondArguments): KnownBlock[] | undefined {
  return 'blocks' in message && Array.isArray(message.blocks) ? (message.blocks as KnownBlock[]) : undefined;
}

/**
 * A button listener that also works on Home: answers in a modal there, and republishes Home
 * afterwards, unless the click only opens a modal whose submission does (`refresh: false`: Deny).
 */
export function homeAware(
  s: SlackServices,
  listener: (args: ActionArgs) => Promise<void>,
  options: { readonly refresh?: boolean } = {},
) {
  return async (args: ActionArgs): Promise<void> => {
    if (!clickedOnHome(args.body)) return listener(args);
    await listener({ ...args, respond: modalRespond(s, args.body.trigger_id) });
    if (options.refresh !== false) await refreshHome(s, args.body.user.id);
  };
}

/** A view submission listener that republishes the person's Home when the modal was opened from it. */
export function homeAfterSubmit(
  s: SlackServices,
  fromHome: (privateMetadata: string) => boolean,
  listener: (args: ViewArgs) => Promise<void>,
) {
  return async (args: ViewArgs): Promise<void> => {
    await listener(args);
    if (fromHome(args.body.view.private_metadata)) await refreshHome(s, args.body.user.id);
  };
}

/** A request modal opened from Home (its metadata says so). */
export function requestFormFromHome(privateMetadata: string): boolean {
  return jsonOf(privateMetadata, z.object({ from: z.literal('home') }));
}

/** A reason modal opened from Home: the only place its buttons are not on a message, so it names none. */
export function reasonFromHome(privateMetadata: string): boolean {
  return jsonOf(privateMetadata, z.object({ requestId: z.string(), channel: z.undefined(), ts: z.undefined() }));
}

function jsonOf(text: string, schema: z.ZodType): boolean {
  try {
    return schema.safeParse(JSON.parse(text)).success;
  } catch {
    return false;
  }
}
