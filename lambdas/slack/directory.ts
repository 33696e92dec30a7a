/**
 * Who someone is, as far as the ingress needs: their ONTAP account (configuration map first, then
 * the local part of their Slack e-mail when enabled), their time zone, and the user groups they are
 * in (asked of Slack, kept for a short while so a burst of clicks costs one lookup).
 */
import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import type { Config } from '../config/schema';
import type { Actor } from '../domain/policy';
import { AccountNotMappedError, SlackLookupError } from './errors';
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
    profile: z.object({ email: z.string().optional(), real_name: z.string().optional() }).optional(),
  }),
});
const GroupMembersSchema = z.object({ users: z.array(z.string()) });

/** What the ingress knows about a requester. */
export interface Requester {
  readonly slackUserId: string;
  readonly ontapAccount: string;
  /** Their real name in Slack, when Slack gave one. */
  readonly name?: string;
  /** Their IANA time zone from Slack (`UTC` when Slack gave none). */
  readonly zone: string;
}

/** Options of the directory. */
export interface DirectoryOptions {
  readonly web: WebClient;
  readonly accounts: Config['slack']['accounts'];
  /** Milliseconds since the epoch; the clock the membership cache ages by. */
  readonly now: () => number;
  /** How long a user group's members are trusted before asking Slack again. @default 60 s */
  readonly groupTtlSeconds?: number;
}

/** Slack people lookups with a short membership cache. */
export class SlackDirectory {
  private readonly web: WebClient;
  private readonly accounts: Config['slack']['accounts'];
  private readonly now: () => number;
  private readonly ttlMs: number;
  private readonly groups = new Map<string, { members: ReadonlySet<string>; fetchedAt: number }>();

  constructor(options: DirectoryOptions) {
    this.web = options.web;
    this.accounts = options.accounts;
    this.now = options.now;
    this.ttlMs = (options.groupTtlSeconds ?? 60) * 1000;
  }

  /** The requester behind a Slack user, or AccountNotMappedError when they have no ONTAP account. */
  async requester(userId: string): Promise<Requester> {
    const profile = await this.profile(userId);
    const mapped = this.accounts.map[userId];
    if (mapped !== undefined) return { slackUserId: userId, ontapAccount: mapped, zone: profile.zone, ...name(profile.name) };
    if (!this.accounts.emailLocalPart) throw new AccountNotMappedError(userId);
    const local = profile.email?.split('@')[0];
    if (!local) throw new AccountNotMappedError(userId, 'Slack has no e-mail address for them');
    if (!ACCOUNT_NAME.test(local)) throw new AccountNotMappedError(userId, `"${local}" is not a usable ONTAP account name`);
    return { slackUserId: userId, ontapAccount: local, zone: profile.zone, ...name(profile.name) };
  }

  /** The person as the policy rules see them: their id and which of `groupIds` they are in. */
  async actor(userId: string, groupIds: readonly string[]): Promise<Actor> {
    const memberships = await Promise.all(
      [...new Set(groupIds)].map(async (group) => ((await this.members(group)).has(userId) ? group : undefined)),
    );
    return { userId, groups: new Set(memberships.filter((g): g is string => g !== undefined)) };
  }

  private async members(group: string): Promise<ReadonlySet<string>> {
    const cached = this.groups.get(group);
    const now = this.now();
    if (cached && now - cached.fetchedAt < this.ttlMs) return cached.members;
    let answer: unknown;
    try {
      answer = await this.web.usergroups.users.list({ usergroup: group });
    } catch (error) {
      throw new SlackLookupError('usergroups.users.list', { cause: error });
    }
    const members = new Set(parsePayload(GroupMembersSchema, answer, 'usergroups.users.list answer').users);
    this.groups.set(group, { members, fetchedAt: now });
    return members;
  }

  private async profile(userId: string): Promise<{ zone: string; email?: string; name?: string }> {
    let answer: unknown;
    try {
      answer = await this.web.users.info({ user: userId });
    } catch (error) {
      throw new SlackLookupError('users.info', { cause: error });
    }
    const { user } = parsePayload(UserInfoSchema, answer, 'users.info answer');
    if (user.deleted || user.is_bot) throw new AccountNotMappedError(userId, 'deactivated or a bot');
    const realName = user.real_name ?? user.profile?.real_name;
    return {
      zone: user.tz ?? 'UTC',
      ...(user.profile?.email !== undefined ? { email: user.profile.email } : {}),
      ...(realName ? { name: realName.slice(0, 200) } : {}),
    };
  }
}

function name(value: string | undefined): { name?: string } {
  return value === undefined ? {} : { name: value };
}
