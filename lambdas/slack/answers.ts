/**
 * The one place that turns errors into what a Slack user reads: domain refusals keep their own
 * words, infrastructure failures get a plain "try again", and anything unknown is a generic
 * apology (the caller logs it). Every text comes in two forms: mrkdwn (escaped, only user mentions
 * the domain wrote are kept as mentions) and plain text (for modal field errors).
 */
import { ConfigError } from '../config/errors';
import { DomainError, IllegalTransitionError, PolicyViolationError } from '../domain/errors';
import { SubmissionSpentError, SubmissionUnconfirmedError } from '../lifecycle/errors';
import { WorkflowCallError } from '../stepfunctions/errors';
import {
  ContentionError,
  CorruptItemError,
  DuplicateRequestError,
  RequestNotFoundError,
  WriteUnconfirmedError,
} from '../store/errors';
import type { AuditEvent } from '../store/items';
import { escapeMrkdwn, slackDate } from './blocks/escape';
import {
  AccountNotMappedError,
  INACTIVE_ACCOUNT,
  SlackLookupError,
  SlackPayloadError,
  UnknownPolicyError,
} from './errors';

/** What to tell the user about an error. */
export interface ErrorAnswer {
  /** Safe mrkdwn for messages. */
  readonly mrkdwn: string;
  /** Plain text for modal field errors. */
  readonly plain: string;
  /** The request field a policy refusal is about (`cluster`, `svm`, `role`), for form errors. */
  readonly field?: string;
  /** False for errors nobody planned for: the caller logs them in full. */
  readonly expected: boolean;
}

const MENTION = /(<@[UW][A-Z0-9]{2,20}>)/;

/** Escapes text for mrkdwn but keeps user mentions of the `<@U0123>` form, which the domain writes itself. */
export function safeMrkdwn(text: string): string {
  return text
    .split(MENTION)
    .map((part) => (MENTION.test(part) ? part : escapeMrkdwn(part)))
    .join('');
}

function answer(text: string, expected = true, field?: string): ErrorAnswer {
  return {
    mrkdwn: safeMrkdwn(text),
    plain: text.replace(/<@([UW][A-Z0-9]{2,20})>/g, '@$1'),
    expected,
    ...(field !== undefined ? { field } : {}),
  };
}

/** What to tell the user about `error`. */
export function describeError(error: unknown): ErrorAnswer {
  if (error instanceof PolicyViolationError) return answer(error.message, true, error.field);
  if (error instanceof DomainError) return answer(error.message);
  if (error instanceof AccountNotMappedError) {
    if (error.detail === INACTIVE_ACCOUNT) return answer('Your Slack account is deactivated or a bot: it cannot ask.');
    const why = error.detail ? ` (${error.detail})` : '';
    return answer(
      `Your Slack account is not mapped to an ONTAP account${why}, so you cannot ask for access. ` +
        'An administrator can add you under slack.accounts in the configuration.',
    );
  }
  if (error instanceof RequestNotFoundError) return answer('That request does not exist (any more).');
  if (error instanceof UnknownPolicyError) return answer(`${error.message} Nobody can decide this request here.`);
  if (error instanceof DuplicateRequestError) return answer('That request was already submitted.');
  if (error instanceof SlackLookupError)
    return answer('Slack did not answer in time; please try again. Nothing was changed.');
  if (error instanceof ContentionError) return answer('Many people acted on this request at once; please try again.');
  if (error instanceof SubmissionSpentError) return answer(error.message);
  if (error instanceof SubmissionUnconfirmedError) return answer(error.message, false);
  if (error instanceof WriteUnconfirmedError) {
    return answer(
      'The database did not answer, so we could not confirm that this was recorded. If it was, the ' +
        'request’s messages show it once the workflow picks it up. Doing it again is safe: nothing is done twice.',
      false,
    );
  }
  if (error instanceof WorkflowCallError)
    return answer('The approval workflow could not be reached; please try again.');
  if (error instanceof SlackPayloadError)
    return answer('Slack sent something this app does not understand; nothing was changed.', false);
  if (error instanceof CorruptItemError || error instanceof ConfigError) {
    return answer(
      'The app is misconfigured or its data is damaged; an administrator has to look. Nothing was changed.',
      false,
    );
  }
  return answer('Something went wrong on our side; nothing was changed. Please try again.', false);
}

/** A refused decision; when it came too late, with who took the decision that got there first, and when. */
export function describeRefusal(error: DomainError, lastEvent: AuditEvent | undefined): ErrorAnswer {
  const base = describeError(error);
  const actor = lastEvent?.actor;
  const human = lastEvent !== undefined && ['APPROVE', 'DENY', 'CANCEL', 'REVOKE_REQUESTED'].includes(lastEvent.type);
  if (
    !(error instanceof IllegalTransitionError) ||
    !human ||
    !actor ||
    !/^[UW][A-Z0-9]{2,20}$/.test(actor) ||
    base.mrkdwn.includes('<@')
  ) {
    return base;
  }
  return {
    ...base,
    mrkdwn: `${base.mrkdwn.replace(/\.$/, '')} (by <@${actor}> ${slackDate(lastEvent.at)}).`,
    plain: `${base.plain.replace(/\.$/, '')} (by @${actor} at ${lastEvent.at}).`,
  };
}

/**
 * "Revoke now" on a grant whose automatic revoke already failed: the reconciler keeps retrying it, so
 * say it is not done yet, who was alerted, and when ONTAP ends the access regardless.
 */
export function revokeFailedAnswer(windowEnd: string): ErrorAnswer {
  const base = answer(
    'Your revoke is recorded, but the cluster could not remove this access earlier and operators were alerted. ' +
      'The removal is retried every few minutes until the cluster confirms it.',
  );
  return {
    ...base,
    mrkdwn: `${base.mrkdwn} ONTAP ends it ${slackDate(windowEnd)} regardless.`,
    plain: `${base.plain} ONTAP ends it at ${windowEnd} regardless.`,
  };
}

/**
 * A decision was recorded but the workflow could not be told just now. The record is the truth and
 * the reconciler re-sends the signal, so the click stands; say it is not done yet, and who tells whom.
 */
export function notSignalledAnswer(): ErrorAnswer {
  return answer(
    'Your decision is recorded, but it has not taken effect yet: the approval workflow could not be ' +
      'reached just now. It is retried automatically within a few minutes and the requester is told ' +
      'when it takes effect; no need to click again.',
  );
}
