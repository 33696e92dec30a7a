/**
 * The request modal's values and block ids, and the inverse of drawing it: reading a submitted or
 * changed view's state back into a draft. Pure functions, shared by the modal's builder and its listeners.
 */
import type { Policy } from '../../domain/policy';
import { type Draft, FORM_FIELDS, type FormField, type TargetChoice } from '../../domain/request-form';
import { FORM_BLOCK } from '../ids';
import type { ViewState } from '../payloads';

/** The approval choice's value for break-glass (the other, `approval`, asks the approvers). */
export const BREAK_GLASS_MODE = 'break-glass';

/** The value a target option carries: `cluster/svm` (`cluster/*` for "any SVM, typed"). */
export function targetValue(target: TargetChoice): string {
  return `${target.cluster}/${target.svm}`;
}

/** Reads a target option's value back; undefined for anything that is not `cluster/svm`. */
export function parseTargetValue(value: string): TargetChoice | undefined {
  const slash = value.indexOf('/');
  if (slash <= 0 || slash === value.length - 1) return undefined;
  return { cluster: value.slice(0, slash), svm: value.slice(slash + 1) };
}

/** Whole seconds the way people type them back: `1h`, `30m`, `1h30m`, `2d`. */
export function shortDuration(seconds: number): string {
  const parts: [number, string][] = [
    [Math.floor(seconds / 86_400), 'd'],
    [Math.floor((seconds % 86_400) / 3_600), 'h'],
    [Math.floor((seconds % 3_600) / 60), 'm'],
    [seconds % 60, 's'],
  ];
  return (
    parts
      .filter(([n]) => n > 0)
      .map(([n, unit]) => `${n}${unit}`)
      .join('') || '0s'
  );
}

/** Block id of the role select for a target: a new id per target, so Slack forgets a role chosen for another SVM. */
export function roleBlockId(target: TargetChoice): string {
  return `${FORM_BLOCK.role}@${targetValue(target)}`.slice(0, 255);
}

/** Block id of the duration field for a policy: a new id per policy, so its default shows when the policy changes. */
export function durationBlockId(policy: Policy | undefined): string {
  return policy ? `${FORM_BLOCK.duration}@${policy.name}` : FORM_BLOCK.duration;
}

/** A view's state read back: the draft, the chosen target and role, and which block each field lives in. */
export interface RequestForm {
  readonly draft: Draft;
  readonly target?: TargetChoice;
  readonly role?: string;
  /** The block id each field has in this view (fields the view lacks are absent). */
  readonly blockIds: Partial<Record<FormField, string>>;
}

/** Reads the request modal's state (from a submission or a change) into a draft. */
export function readRequestForm(values: ViewState, zone: string): RequestForm {
  const blockIds: Partial<Record<FormField, string>> = {};
  const found: Partial<Record<FormField, string>> = {};
  let timeZone: string | undefined;
  for (const [blockId, actions] of Object.entries(values)) {
    const kind = blockId.split('@')[0] ?? '';
    const field = FORM_FIELDS.find((f) => FORM_BLOCK[f] === kind);
    if (!field) continue;
    blockIds[field] = blockId;
    for (const state of Object.values(actions)) {
      let value: string | null | undefined;
      switch (state.type) {
        case 'static_select':
        case 'radio_buttons':
          value = state.selected_option?.value;
          break;
        case 'plain_text_input':
          value = state.value;
          break;
        case 'datepicker':
          value = state.selected_date;
          break;
        case 'timepicker':
          value = state.selected_time;
          timeZone = state.timezone ?? undefined;
          break;
      }
      if (value !== null && value !== undefined && value !== '') found[field] = value;
    }
  }
  const target = found.target !== undefined ? parseTargetValue(found.target) : undefined;
  const typed = target?.svm === '*';
  const svm = typed ? found.svmName : target?.svm;
  const draft: Draft = {
    ...(target ? { cluster: target.cluster } : {}),
    ...(svm !== undefined ? { svm } : {}),
    svmTyped: typed,
    ...(found.role !== undefined ? { role: found.role } : {}),
    ...(found.duration !== undefined ? { duration: found.duration } : {}),
    start:
      found.startMode === 'scheduled'
        ? {
            mode: 'scheduled',
            zone: timeZone ?? zone,
            ...(found.startDate !== undefined ? { date: found.startDate } : {}),
            ...(found.startTime !== undefined ? { time: found.startTime } : {}),
          }
        : { mode: 'now' },
    ...(found.justification !== undefined ? { justification: found.justification } : {}),
    ...(found.ticket !== undefined ? { ticket: found.ticket } : {}),
    ...(found.approvalMode === BREAK_GLASS_MODE
      ? { breakGlass: found.breakGlassReason !== undefined ? { reason: found.breakGlassReason } : {} }
      : {}),
  };
  return {
    draft,
    ...(target ? { target } : {}),
    ...(found.role !== undefined ? { role: found.role } : {}),
    blockIds,
  };
}
