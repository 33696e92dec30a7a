/** Errors of the Slack ingress; `answers.ts` turns them (and every other error) into what the user reads. */
import { ERROR_NAMES } from '../domain/error-names';

/** The detail of an AccountNotMappedError for an account that is deactivated or a bot. */
export const INACTIVE_ACCOUNT = 'deactivated or a bot';

/** The Slack user has no ONTAP account: not in `slack.accounts.map`, and no usable e-mail local part. */
export class AccountNotMappedError extends Error {
  /** The Slack user id that could not be mapped. */
  readonly userId: string;
  /** Why, in words the user can act on (e.g. an untrusted e-mail domain). */
  readonly detail: string | undefined;
  constructor(userId: string, detail?: string) {
    super(`Slack user ${userId} has no ONTAP account${detail ? ` (${detail})` : ''}.`);
    this.name = 'AccountNotMappedError';
    this.userId = userId;
    this.detail = detail;
  }
}

/** A Slack payload (command, interaction, view state, private metadata) does not have the expected shape. */
export class SlackPayloadError extends Error {
  constructor(what: string, options?: { cause?: unknown }) {
    super(`Unexpected Slack payload: ${what}.`, options);
    this.name = 'SlackPayloadError';
  }
}

/** A Slack Web API call the ingress needed (users.info, usergroups.users.list, views.open) failed. */
export class SlackLookupError extends Error {
  /** The Web API method that failed. */
  readonly method: string;
  constructor(method: string, options?: { cause?: unknown }) {
    super(`Slack ${method} failed.`, options);
    this.name = 'SlackLookupError';
    this.method = method;
  }
}

/** A stored request names a policy the configuration no longer has. */
export class UnknownPolicyError extends Error {
  constructor(policy: string) {
    super(`Policy "${policy}" is no longer configured.`);
    this.name = 'UnknownPolicyError';
  }
}

/** A Slack call of the workflow failed in a way a retry may fix (network, rate limit, Slack's own 5xx); the state machine retries on this name. */
export class SlackTransientError extends Error {
  constructor(method: string, options?: { cause?: unknown }) {
    super(`Slack ${method} failed for now; it may work when tried again.`, options);
    this.name = ERROR_NAMES.slackTransient;
  }
}

/** Slack refused a call of the workflow (`ok: false`: channel not found, not in channel, invalid auth...). */
export class SlackCallError extends Error {
  /** Slack's error code, e.g. `channel_not_found`. */
  readonly slackError: string;
  constructor(method: string, slackError: string, options?: { cause?: unknown }) {
    super(`Slack ${method} failed: ${slackError}.`, options);
    this.name = 'SlackCallError';
    this.slackError = slackError;
  }
}
