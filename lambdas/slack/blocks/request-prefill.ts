/**
 * "Request again": the request form filled in as an earlier request was (cluster, SVM, role,
 * duration, justification, ticket), within what the person's policies offer today. A choice that is
 * no longer offered (a cluster removed from the configuration, an SVM or a role no policy of theirs
 * covers) is left empty, with a note saying so, rather than refused. The start is "as soon as
 * approved": an earlier scheduled start has passed. Pure.
 */
import type { Config } from '../../config/schema';
import type { Policy } from '../../domain/policy';
import type { AccessRequest } from '../../domain/request';
import {
  JUSTIFICATION_MAX,
  roleChoices,
  type TargetChoice,
  TICKET_MAX,
  targetChoices,
} from '../../domain/request-form';
import { escapeMrkdwn } from './escape';
import type { ModalPrefill, ModalSelection } from './request-modal';
import { shortDuration, targetValue } from './request-modal-state';

/** What the form opens with for a request made again. */
export interface RequestAgain {
  readonly selection: ModalSelection;
  readonly prefill: ModalPrefill;
}

/** The selection and filled-in fields that ask for `request` again, under the person's `policies` today. */
export function requestAgainForm(config: Config, policies: readonly Policy[], request: AccessRequest): RequestAgain {
  const offered = targetChoices(config, policies);
  const named: TargetChoice = { cluster: request.cluster, svm: request.svm.name };
  const anySvm: TargetChoice = { cluster: request.cluster, svm: '*' };
  const target =
    offered.find((t) => targetValue(t) === targetValue(named)) ??
    offered.find((t) => targetValue(t) === targetValue(anySvm));
  const gone: string[] = [];
  if (!target) {
    const cluster = config.clusters.some((c) => c.name === request.cluster)
      ? `SVM ${escapeMrkdwn(request.svm.name)} on ${escapeMrkdwn(request.cluster)} is`
      : `Cluster ${escapeMrkdwn(request.cluster)} is`;
    gone.push(`${cluster} no longer offered to you: choose where.`);
  }
  const roleOffered = target !== undefined && roleChoices(policies, target).includes(request.role);
  if (target && !roleOffered) gone.push(`Role ${escapeMrkdwn(request.role)} is no longer offered there: choose one.`);
  const lead = `Filled in from request \`${request.id}\`; it starts as soon as it is approved.`;
  return {
    selection: { target: target ?? null, role: roleOffered ? request.role : null },
    // Within the form's own limits (older requests may hold longer text): Slack refuses an initial value over them.
    prefill: {
      ...(target?.svm === '*' ? { svmName: request.svm.name.slice(0, 64) } : {}),
      duration: shortDuration(request.durationSeconds),
      justification: request.justification.slice(0, JUSTIFICATION_MAX),
      ...(request.ticket !== undefined ? { ticket: request.ticket.slice(0, TICKET_MAX) } : {}),
      note: [lead, ...gone.map((g) => `:warning: ${g}`)].join('\n'),
    },
  };
}
