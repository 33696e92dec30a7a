/** The people and user groups the Slack stand-in knows: the example workspace of config/example.yaml. */

/** A workspace member as users.info describes one. */
export interface SlackUser {
  readonly id: string;
  readonly name: string;
  readonly realName: string;
  readonly email: string;
  readonly tz: string;
  /** Deactivated: users.info still answers, with `deleted: true`. */
  readonly deleted?: boolean;
  /** A guest: `multi-channel` (is_restricted) or `single-channel` (is_restricted and is_ultra_restricted). */
  readonly guest?: 'multi-channel' | 'single-channel';
  /** Whether Slack has confirmed the e-mail address. @default true */
  readonly emailConfirmed?: boolean;
}

/** Who is in the stand-in's workspace, and which user groups they form. */
export interface SlackDirectory {
  readonly users: readonly SlackUser[];
  readonly usergroups: Readonly<Record<string, readonly string[]>>;
}

/**
 * The example workspace: a requester, two approvers, a group approver, a second requester, a
 * stranger, Bob's second (admin) identity, a guest and a deactivated user.
 */
export const EXAMPLE_DIRECTORY: SlackDirectory = {
  users: [
    { id: 'U0ALICE', name: 'alice', realName: 'Alice Storage', email: 'alice@example.com', tz: 'Europe/Paris' },
    { id: 'U0BOB', name: 'bob', realName: 'Bob Approver', email: 'bob@example.com', tz: 'America/New_York' },
    { id: 'U0CAROL', name: 'carol', realName: 'Carol Approver', email: 'carol@example.com', tz: 'Europe/London' },
    { id: 'U0DAVE', name: 'dave', realName: 'Dave Storage', email: 'dave@example.com', tz: 'Asia/Tokyo' },
    { id: 'U0ERIN', name: 'erin', realName: 'Erin Oncall', email: 'erin@example.com', tz: 'UTC' },
    { id: 'U0EVE', name: 'eve', realName: 'Eve Stranger', email: 'eve@example.com', tz: 'UTC' },
    { id: 'U0BOBADM', name: 'bob-adm', realName: 'Bob (admin)', email: 'bob-adm@example.com', tz: 'America/New_York' },
    {
      id: 'U0GUEST',
      name: 'gus',
      realName: 'Gus Guest',
      email: 'gus@partner.example',
      tz: 'UTC',
      guest: 'multi-channel',
    },
    { id: 'U0GONE', name: 'gina', realName: 'Gina Gone', email: 'gina@example.com', tz: 'UTC', deleted: true },
  ],
  usergroups: { S0STORAGE: ['U0ERIN'] },
};
