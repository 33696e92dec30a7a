/**
 * Decision clicks as Slack sends them from a message's buttons, and holding a request's read until Slack has
 * been asked about the people a click decides on: a click that starts its lookups beside the read releases
 * it; one that looks people up only after its read never does.
 */
import type { WorkflowEnv } from './workflow-env';

/** The Slack configuration of the decision click tests: Bob is one person with two Slack identities. */
export const SLACK_WITH_BOB_TWICE = {
  approvalChannel: 'C0APPROVALS',
  accounts: {
    map: { U0ALICE: 'alice', U0BOB: 'bob', U0CAROL: 'carol', U0BOBADM: 'bob-adm' },
    people: { bob: ['U0BOB', 'U0BOBADM'] },
  },
};

/** A read being held, and the count of the request item's reads before its first write. */
export interface HeldRead {
  /** Resolves 'asked' once every user was looked up, or 'not asked' after the deadlock guard. */
  readonly released: Promise<'asked' | 'not asked'>;
  /** Stops counting; the reads of the request item before its first write (undefined: no write). */
  stop(): number | undefined;
}

/**
 * Holds the next read of request `id` until Slack has been asked about every one of `users`, and counts
 * the reads of the request item made before its next write. A click that looks people up only after its
 * read never releases it: after `deadlockMs` the read goes on anyway, and says it was not released by them.
 */
export function holdReadUntilAsked(
  env: WorkflowEnv,
  id: string,
  users: readonly string[],
  deadlockMs = 10_000,
): HeldRead {
  const { slack } = env;
  const { client } = env.dynamo;
  const from = slack.callsTo('users.info').length;
  const asked = (): boolean => {
    const seen = slack
      .callsTo('users.info')
      .slice(from)
      .map((c) => c.args.user);
    return users.every((u) => seen.includes(u));
  };
  let release: (how: 'asked' | 'not asked') => void = () => undefined;
  const released = new Promise<'asked' | 'not asked'>((resolve) => {
    release = resolve;
  });
  const onChange = (): void => {
    if (asked()) release('asked');
  };
  slack.events.on('change', onChange);
  const deadlock = setTimeout(() => release('not asked'), deadlockMs);
  let armed = true;
  let reads = 0;
  let readsBeforeWrite: number | undefined;
  const name = `hold-read-${id}`;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = JSON.stringify((args as { input?: unknown }).input ?? {});
      const command = String(context.commandName);
      if (input.includes(id) && command === 'GetItemCommand') reads += 1;
      if (input.includes(id) && /^(Put|Update|TransactWrite)/.test(command) && readsBeforeWrite === undefined) {
        readsBeforeWrite = reads;
      }
      if (armed && command === 'GetItemCommand' && input.includes(id)) {
        armed = false;
        await released;
      }
      return next(args);
    },
    { step: 'initialize', name },
  );
  const done = released.finally(() => {
    clearTimeout(deadlock);
    slack.events.off('change', onChange);
  });
  return {
    released: done,
    /** Stops counting; the reads of the request item before its first write (undefined: no write). */
    stop(): number | undefined {
      client.middlewareStack.remove(name);
      return readsBeforeWrite;
    },
  };
}

/** A message's place and its buttons. */
export interface ButtonMessage {
  readonly channel: string;
  readonly ts: string;
  readonly buttons: readonly { readonly action_id: string; readonly value: string }[];
}

/** A click on `message`'s `actionId` button for request `id`, as Slack sends it; `value` replaces the button's. */
export function clickOnButton(
  env: WorkflowEnv,
  message: ButtonMessage,
  click: { readonly user: string; readonly actionId: string; readonly id: string; readonly value?: string },
): Record<string, unknown> {
  const { user, actionId, id } = click;
  const button = message.buttons.find((b) => b.action_id === actionId);
  if (!button) throw new Error(`no ${actionId} on the message of ${id}`);
  const payload = env.ingress.clickPayload(user, actionId, id);
  const [action] = payload.actions as Record<string, unknown>[];
  return {
    ...payload,
    actions: [{ ...action, value: click.value ?? button.value }],
    container: { ...(payload.container as object), channel_id: message.channel, message_ts: message.ts },
    channel: { ...(payload.channel as object), id: message.channel },
    message: { ...(payload.message as object), ts: message.ts },
  };
}
