/**
 * Who is one person. A person may have several Slack identities (an `-adm` account, a guest account,
 * an account in another workspace of the grid); the product treats two Slack identities as one
 * person when any of these is the same for both:
 *   - the ONTAP account they map to (`ontap:<account>`),
 *   - their Slack e-mail address, lower-cased, `+tag` dropped (`email:<address>`),
 *   - the entry of `slack.accounts.people` that lists both Slack user ids (`person:<name>`).
 * Each identity is reduced to these keys; two identities sharing a key are one person. Matching on
 * more keys only ever refuses more (a second identity cannot approve or fill a seat), so an e-mail
 * address counts here whether or not Slack has confirmed it; turning an address into an ONTAP
 * account (`emailLocalPart`) is stricter and lives in the Slack adapter. Pure: no I/O.
 */
import { z } from 'zod';

const slackUser = z.string().regex(/^[UW][A-Z0-9]{2,20}$/, 'must be a Slack user id such as U0123ABCD');

/** `slack.accounts.people`: a name per person, and the Slack user ids that are all that one person. */
export const PeopleGroupingSchema = z
  .record(
    z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'person names are lower-case letters, digits, ".", "_" and "-"'),
    z.array(slackUser).min(2, 'lists fewer than two Slack user ids: an entry groups several identities of one person'),
  )
  .default({});

/** Configured groupings: person name to their Slack user ids. */
export type PeopleGrouping = z.infer<typeof PeopleGroupingSchema>;

/** How Slack says an account stands: what `users.info` tells about it. */
export type AccountStatus = 'active' | 'guest' | 'deactivated';

/** What is known about one Slack identity, gathered by the Slack adapter. */
export interface Identity {
  readonly userId: string;
  /** The ONTAP account it maps to, when it maps to one. */
  readonly ontapAccount?: string;
  /** The Slack profile e-mail address, when Slack gave one. */
  readonly email?: string;
  readonly status: AccountStatus;
}

/** The name of the `people` entry that lists this Slack user, if any. */
export function personOf(people: PeopleGrouping, userId: string): string | undefined {
  return Object.entries(people).find(([, ids]) => ids.includes(userId))?.[0];
}

/** An e-mail address as compared: lower case, without a `+tag` in the local part. */
export function normalizeEmail(email: string): string {
  const lower = email.trim().toLowerCase();
  const at = lower.lastIndexOf('@');
  if (at <= 0) return lower;
  return `${lower.slice(0, at).replace(/\+.*$/, '')}${lower.slice(at)}`;
}

/** The keys an identity is known by; two identities that share one are the same person. */
export function identityKeys(identity: Identity, people: PeopleGrouping): string[] {
  const keys = [`slack:${identity.userId}`];
  if (identity.ontapAccount !== undefined) keys.push(`ontap:${identity.ontapAccount.toLowerCase()}`);
  const email = identity.email;
  if (email?.includes('@')) keys.push(`email:${normalizeEmail(email)}`);
  const person = personOf(people, identity.userId);
  if (person !== undefined) keys.push(`person:${person}`);
  return keys;
}

/** True when two sets of identity keys belong to one person. */
export function samePerson(a: readonly string[], b: readonly string[]): boolean {
  return a.some((key) => b.includes(key));
}

/** The keys of a Slack id alone, for records made before identities were kept. */
export function slackOnlyKeys(userId: string): string[] {
  return [`slack:${userId}`];
}

/**
 * The Slack user ids the configuration knows to be this person: the user, their `people` entry,
 * and every map entry naming the same ONTAP account. (Identities linked only by e-mail are not
 * known until they act.)
 */
export function knownSlackIds(
  accounts: { readonly map: Readonly<Record<string, string>>; readonly people: PeopleGrouping },
  userId: string,
  ontapAccount: string,
): string[] {
  const ids = new Set([userId]);
  const person = personOf(accounts.people, userId);
  if (person !== undefined) for (const id of accounts.people[person] ?? []) ids.add(id);
  for (const [id, account] of Object.entries(accounts.map)) {
    if (account.toLowerCase() === ontapAccount.toLowerCase()) ids.add(id);
  }
  return [...ids];
}
