/**
 * Driving the Home tab through the real ingress as Slack does: `app_home_opened` as a signed JSON
 * event callback, and clicks on the published Home view as `block_actions` whose container is it.
 */
import { readDecisionValue } from '../../lambdas/slack/blocks/approval-message';
import type { ActionElement } from '../../local/sandbox/block-kit';
import { actionTs, appHomeOpenedBody, blockActionsInView } from '../../local/sandbox/payloads';
import type { StoredHome } from '../../local/slack-api/server';
import { INSTALL, type IngressAnswer, type IngressHarness, signedHeaders } from '../support/slack';

/** A block of a published view, as far as the tests read it. */
export interface HomeBlock {
  readonly type: string;
  readonly block_id?: string;
  readonly text?: { readonly text: string };
  readonly accessory?: ActionElement;
  readonly elements?: readonly (ActionElement | { readonly type: string; readonly text?: string })[];
}

let events = 0;

/** Sends `app_home_opened` for `user` (the Home tab unless told), signed; the answer. */
export async function openHome(
  ingress: IngressHarness,
  user: string,
  options: { tab?: 'home' | 'messages'; retryNum?: number; secret?: string } = {},
): Promise<IngressAnswer> {
  const current = ingress.slack.homes.get(user);
  const body = appHomeOpenedBody(INSTALL, {
    user,
    channel: ingress.slack.dmChannelOf(user),
    tab: options.tab ?? 'home',
    eventId: `Ev${String(++events).padStart(8, '0')}`,
    nowMs: Date.now(),
    ...(current ? { view: { id: current.id, hash: current.hash, blocks: blocksOf(current) } } : {}),
  });
  const headers = signedHeaders(body, 'application/json', {
    ...(options.retryNum !== undefined ? { retryNum: options.retryNum } : {}),
    ...(options.secret !== undefined ? { secret: options.secret } : {}),
  });
  return ingress.post(body, headers);
}

/** The Home view published for `user`; fails the test when there is none. */
export function homeOf(ingress: IngressHarness, user: string): StoredHome {
  const home = ingress.slack.homes.get(user);
  if (!home) throw new Error(`no Home published for ${user}`);
  return home;
}

/** The blocks of a published Home. */
export function blocksOf(home: StoredHome): HomeBlock[] {
  return (home.view.blocks ?? []) as HomeBlock[];
}

/** The headers of a Home, in order: its sections. */
export function headersOf(home: StoredHome): string[] {
  return blocksOf(home)
    .filter((b) => b.type === 'header')
    .map((b) => b.text?.text ?? '');
}

/** Every button of a Home, as `action_id value` (a decision button's value: the request it names). */
export function buttonsOf(home: StoredHome): string[] {
  return buttonsIn(blocksOf(home));
}

function buttonsIn(blocks: readonly HomeBlock[]): string[] {
  const out: string[] = [];
  for (const block of blocks) {
    for (const element of [block.accessory, ...(block.elements ?? [])]) {
      if (element && element.type === 'button' && 'action_id' in element) {
        out.push(`${element.action_id} ${requestOf(element.value)}`);
      }
    }
  }
  return out;
}

/** The request a decision button's value names; any other button's value as it is. */
function requestOf(value: string | undefined): string {
  return value === undefined ? '' : (readDecisionValue(value)?.requestId ?? value);
}

/** The buttons of the blocks between a header and the next one. */
export function buttonsUnder(home: StoredHome, header: string): string[] {
  const blocks = blocksOf(home);
  const start = blocks.findIndex((b) => b.type === 'header' && b.text?.text === header);
  if (start < 0) return [];
  const end = blocks.findIndex((b, i) => i > start && b.type === 'header');
  return buttonsIn(blocks.slice(start, end < 0 ? undefined : end));
}

/**
 * The block_actions payload of a click on a button of `user`'s published Home naming request `value`. With `forged`, a
 * button the Home does not show is clicked anyway, as a stale Home or a forged payload would.
 */
export function homeClick(
  ingress: IngressHarness,
  user: string,
  actionId: string,
  value: string,
  options: { forged?: boolean } = {},
): Record<string, unknown> {
  const home = homeOf(ingress, user);
  const click = (blockId: string, element: ActionElement) =>
    blockActionsInView(INSTALL, {
      user: { id: user, name: user.toLowerCase() },
      view: { id: home.id, hash: home.hash, rootViewId: home.id, view: home.view, rawBlocks: blocksOf(home) as [] },
      action: { blockId, element, actionTs: actionTs(Date.now()) },
      state: {},
      triggerId: ingress.slack.issueTrigger(user),
    });
  for (const block of blocksOf(home)) {
    for (const element of [block.accessory, ...(block.elements ?? [])]) {
      if (element?.type !== 'button' || !('action_id' in element)) continue;
      if (element.action_id !== actionId || requestOf(element.value) !== value) continue;
      return click(block.block_id ?? 'generated', element);
    }
  }
  if (!options.forged) throw new Error(`no ${actionId} ${value} on ${user}'s Home`);
  return click('forged', { type: 'button', action_id: actionId, value, text: { type: 'plain_text', text: 'x' } });
}
