/**
 * Who someone is, as Slack and the configuration tell: their ONTAP account (configuration map first,
 * then the local part of their confirmed Slack e-mail in a trusted domain, when enabled), their
 * account status (active, guest, deactivated), the keys that tell which person they are, their time
 * zone, and the user groups they are in. A person's profile and a group's members are kept for a
 * short while, so opening the form, redrawing it and submitting it cost one lookup per minute at
 * most; decisions and every step that changes access ask afresh. A user group Slack cannot resolve
 * is reported and skipped, so one deleted group does not stop everyone else.
 */
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { Config } from '../config/schema';
import { type AccountStatus, type Identity, identityKeys } from '../domain/people';
import type { Actor, Policy, RequesterNow } from '../domain/policy';
import { AccountNotMappedError, INACTIVE_ACCOUNT, SlackLookupError } from './errors';
import { parsePayload } from './payloads';

/** An ONTAP account name as the product accepts one from an e-mail address. */
const ACCOUNT_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

const UserInfoSchema = z.object({
  user: z.object({
    id: z.string(),
    real_name: z.string().optional(),
    tz: z.string().optional(),
    deleted: z.boolean().optional(),
    is_bot: z.boolean().optional(),
    is_restricted: z.boolean().optional(),
    is_ultra_restricted: z.boolean().optional(),
    is_email_confirmed: z.boolean().optional(),
    profile: z.object({ email: z.string().optional(), real_name: z.string().optional() }).optional(),
  }),
});
const GroupMembersSchema = z.object({ users: z.array(z.string()) });

/** What the directory knows of one Slack user. */
export interface DirectoryIdentity extends Identity {
  /** Their IANA time zone from Slack (`UTC` when Slack gave none). */
  readonly zone: string;
  /** Their real name in Slack, when Slack gave one. */
  readonly name?: string;
  readonly bot: boolean;
  /** Why they map to no ONTAP account, when they do not. */
  readonly unmapped?: string;
  /** The keys that tell which person they are (domain/people.ts). */
  readonly keys: readonly string[];
}

/** What the ingress knows about a requester. */
export interface Requester {
  readonly slackUserId: string;
  readonly ontapAccount: string;
  /** Their real name in Slack, when Slack gave one. */
  readonly name?: string;
  /** Their IANA time zone from Slack (`UTC` when Slack gave none). */
  readonly zone: string;
}

/** Options of an actor lookup. */
export interface ActorOptions {
  /** Ask Slack for the person and the groups' members now, not from the cache (decisions that change access). */
  readonly fresh?: boolean;
  /** The user's identity when already looked up (saves a users.info call). */
  readonly identity?: DirectoryIdentity;
}

/** Options of the directory. */
export interface DirectoryOptions {
  readonly web: WebClient;
  readonly accounts: Config['slack']['accounts'];
  /** Milliseconds since the epoch; the clock the membership cache ages by. */
  readonly now: () => number;
  /** How long a user group's members are trusted before asking Slack again. @default 60 s */
  readonly groupTtlSeconds?: number;
  /** How long a person's profile is trusted when not asked afresh. @default the groups' lifetime */
  readonly profileTtlSeconds?: number;
  /** Told about each user group Slack could not resolve (logged and counted by the caller). */
  readonly onUnresolvedGroup?: (group: string, problem: string) => void;
}

/** How many people's profiles are kept at most (the oldest go first): bounds memory, not correctness. */
const PROFILES_KEPT = 500;

/** Slack people lookups with a short profile and membership cache. */
export class SlackDirectory {
  private readonly web: WebClient;
  private readonly accounts: Config['slack']['accounts'];
  private readonly now: () => number;
  private readonly ttlMs: number;
  private readonly onUnresolvedGroup: (group: string, problem: string) => void;
  private readonly groups = new Map<string, { members: ReadonlySet<string>; fetchedAt: number }>();
  private readonly profileTtlMs: number;
  private readonly profiles = new Map<string, { identity: DirectoryIdentity; fetchedAt: number }>();

  constructor(options: DirectoryOptions) {
    this.web = options.web;
    this.accounts = options.accounts;
    this.now = options.now;
    this.ttlMs = (options.groupTtlSeconds ?? 60) * 1000;
    this.onUnresolvedGroup = options.onUnresolvedGroup ?? (() => undefined);
    this.profileTtlMs = (options.profileTtlSeconds ?? options.groupTtlSeconds ?? 60) * 1000;
  }

  /** Everything known of a Slack user now. A user Slack no longer knows counts as deactivated. */
  async identity(userId: string): Promise<DirectoryIdentity> {
    const identity = await this.lookUpIdentity(userId);
    this.profiles.delete(userId);
    this.profiles.set(userId, { identity, fetchedAt: this.now() });
    if (this.profiles.size > PROFILES_KEPT) this.profiles.delete(this.profiles.keys().next().value as string);
    return identity;
  }

  /** The user's identity: from the cache while it is younger than its lifetime, unless `fresh`. */
  private async identityOf(userId: string, fresh: boolean): Promise<DirectoryIdentity> {
    const cached = this.profiles.get(userId);
    if (!fresh && cached && this.now() - cached.fetchedAt < this.profileTtlMs) return cached.identity;
    return this.identity(userId);
  }

  private async lookUpIdentity(userId: string): Promise<DirectoryIdentity> {
    let answer: unknown;
    try {
      answer = await this.web.users.info({ user: userId });
    } catch (error) {
      if (slackErrorOf(error) === 'user_not_found') {
        return this.complete({ userId, status: 'deactivated', zone: 'UTC', bot: false });
      }
      throw new SlackLookupError('users.info', { cause: error });
    }
    const { user } = parsePayload(UserInfoSchema, answer, 'users.info answer');
    const guest = user.is_restricted === true || user.is_ultra_restricted === true;
    const status: AccountStatus = user.deleted ? 'deactivated' : guest ? 'guest' : 'active';
    const realName = user.real_name ?? user.profile?.real_name;
    const email = user.profile?.email;
    const named = realName ? { name: realName.slice(0, 200) } : {};
    const base = { userId, status, zone: user.tz ?? 'UTC', bot: user.is_bot === true, ...named };
    return this.complete(base, email, user.is_email_confirmed !== false);
  }

  /** The requester behind a Slack user, or AccountNotMappedError saying why they cannot ask. */
  async requester(userId: string, known?: DirectoryIdentity): Promise<Requester> {
    const identity = known ?? (await this.identity(userId));
    if (identity.status === 'deactivated' || identity.bot) throw new AccountNotMappedError(userId, INACTIVE_ACCOUNT);
    if (identity.ontapAccount === undefined) throw new AccountNotMappedError(userId, identity.unmapped);
    return {
      slackUserId: userId,
      ontapAccount: identity.ontapAccount,
      zone: identity.zone,
      ...(identity.name !== undefined ? { name: identity.name } : {}),
    };
  }

  /**
   * Who is asking for access, with their identity read once: the requester (AccountNotMappedError when
   * they cannot ask) and the person as the policy rules see them, in which of `groupIds` they are.
   */
  async asker(userId: string, groupIds: readonly string[]): Promise<{ requester: Requester; actor: Actor }> {
    const { identity, actor } = await this.lookUp(userId, groupIds, false);
    const requester = await this.requester(userId, identity);
    return { requester, actor };
  }

  /** The person as the policy rules see them: id, which of `groupIds` they are in, status and identity keys. */
  async actor(userId: string, groupIds: readonly string[], options: ActorOptions = {}): Promise<Actor> {
    return (await this.lookUp(userId, groupIds, options.fresh === true, options.identity)).actor;
  }

  /** The person and their groups among `groupIds`, asked of Slack at once (neither answer depends on the other). */
  private async lookUp(
    userId: string,
    groupIds: readonly string[],
    fresh: boolean,
    known?: DirectoryIdentity,
  ): Promise<{ identity: DirectoryIdentity; actor: Actor }> {
    const memberOf = async (group: string): Promise<string | undefined> =>
      (await this.members(group, fresh))?.has(userId) ? group : undefined;
    const [identity, memberships] = await Promise.all([
      known ?? this.identityOf(userId, fresh),
      Promise.all([...new Set(groupIds)].map(memberOf)),
    ]);
    const groups = new Set(memberships.filter((g): g is string => g !== undefined));
    return { identity, actor: { userId, groups, keys: identity.keys, status: identity.status } };
  }

  /**
   * A requester as the policy rules see them now, to check them again before access changes: their
   * standing and the requesters' groups of `policy` read afresh, and the ONTAP account they map to today.
   */
  async requesterNow(userId: string, policy: Policy): Promise<{ identity: DirectoryIdentity; now: RequesterNow }> {
    // Break-glass people are checked again too (domain/break-glass.ts), so their groups are read with these.
    const groups = [
      ...(policy.requesters === 'anyone' ? [] : policy.requesters.groups),
      ...(policy.breakGlass?.who.groups ?? []),
    ];
    const { identity, actor } = await this.lookUp(userId, groups, true);
    const mapped = identity.ontapAccount !== undefined ? { ontapAccount: identity.ontapAccount } : {};
    return { identity, now: { actor, ...mapped } };
  }

  private complete(
    base: Omit<DirectoryIdentity, 'keys' | 'ontapAccount' | 'email' | 'unmapped'>,
    email?: string,
    confirmed = false,
  ): DirectoryIdentity {
    const mapping = this.account(base.userId, email, confirmed);
    const identity = { ...base, ...(email !== undefined ? { email } : {}), ...mapping };
    return { ...identity, keys: identityKeys(identity, this.accounts.people) };
  }

  /** The ONTAP account a user maps to, or why none. */
  private account(
    userId: string,
    email: string | undefined,
    confirmed: boolean,
  ): { ontapAccount: string } | { unmapped: string } {
    const mapped = this.accounts.map[userId];
    if (mapped !== undefined) return { ontapAccount: mapped };
    if (!this.accounts.emailLocalPart) return { unmapped: 'not in slack.accounts.map' };
    if (!email) return { unmapped: 'Slack has no e-mail address for them' };
    if (!confirmed) return { unmapped: 'Slack has not confirmed their e-mail address' };
    const at = email.lastIndexOf('@');
    const local = email.slice(0, at);
    const domain = email.slice(at + 1).toLowerCase();
    if (at <= 0 || !this.accounts.trustedEmailDomains.includes(domain)) {
      const trusted = this.accounts.trustedEmailDomains.join(', ');
      return { unmapped: `${email} is not in a trusted e-mail domain (${trusted}), so it names no ONTAP account` };
    }
    if (!ACCOUNT_NAME.test(local)) return { unmapped: `"${local}" is not a usable ONTAP account name` };
    return { ontapAccount: local };
  }

  /** A group's members, or undefined when Slack cannot resolve it (deleted, disabled): reported, then skipped. */
  private async members(group: string, fresh: boolean): Promise<ReadonlySet<string> | undefined> {
    const cached = this.groups.get(group);
    const now = this.now();
    if (!fresh && cached && now - cached.fetchedAt < this.ttlMs) return cached.members;
    let answer: unknown;
    try {
      answer = await this.web.usergroups.users.list({ usergroup: group });
    } catch (error) {
      const refusal = slackErrorOf(error);
      // Slack answered and refused (no_such_subteam...): this group cannot count for anyone; the others still do.
      if (refusal !== undefined) return this.unresolved(group, refusal);
      throw new SlackLookupError('usergroups.users.list', { cause: error });
    }
    const parsed = GroupMembersSchema.safeParse(answer);
    if (!parsed.success) return this.unresolved(group, 'unexpected answer');
    const members = new Set(parsed.data.users);
    this.groups.set(group, { members, fetchedAt: now });
    return members;
  }

  private unresolved(group: string, problem: string): undefined {
    this.groups.delete(group);
    this.onUnresolvedGroup(group, problem);
    return undefined;
  }
}

/** Slack's error code when Slack answered `ok: false` (a platform error), else undefined. */
function slackErrorOf(error: unknown): string | undefined {
  const e = error as { code?: unknown; data?: { error?: unknown } } | undefined;
  return e?.code === 'slack_webapi_platform_error' && typeof e.data?.error === 'string' ? e.data.error : undefined;
}
