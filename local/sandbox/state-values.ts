/**
 * Where Slack keeps what a person entered on a surface: `state.values`, keyed by block id then
 * action id, one value object per stateful element, in the exact shape Slack sends (`value`,
 * `selected_option`, `selected_options`, `selected_date`, `selected_time`, `selected_user`). The page
 * sends raw entries (text, chosen option values); the shapes are built here from the surface's own
 * blocks, so options are echoed exactly as the app defined them. Also the checks the Slack client
 * makes itself before it sends a submission (required fields, lengths).
 */
import { type ActionElement, type Block, type OptionObject, optionsOf } from './block-kit';

/** What the page read from one element: text, one option value, several option values, or nothing. */
export type Entry = string | readonly string[] | null;

/** Entries by block id, then action id. */
export type Entries = Readonly<Record<string, Readonly<Record<string, Entry>>>>;

/** One element's value in `state.values`. */
export type StateValue = Readonly<Record<string, unknown>> & { readonly type: string };

/** `state.values`. */
export type StateValues = Record<string, Record<string, StateValue>>;

/** A stateful element and where it lives. */
export interface StatefulElement {
  readonly blockId: string;
  readonly element: ActionElement;
  /** Set for elements of input blocks (the ones a submission checks). */
  readonly input?: { readonly label: string; readonly optional: boolean };
}

const STATEFUL = new Set([
  'static_select',
  'multi_static_select',
  'radio_buttons',
  'checkboxes',
  'datepicker',
  'timepicker',
  'plain_text_input',
  'number_input',
  'users_select',
]);

/** The elements whose values Slack keeps in `state.values`: inputs, and selects etc. in actions blocks and accessories. */
export function statefulElements(blocks: readonly Block[]): StatefulElement[] {
  const out: StatefulElement[] = [];
  const add = (blockId: string, element: unknown, input?: StatefulElement['input']): void => {
    if (isStateful(element)) out.push({ blockId, element, ...(input ? { input } : {}) });
  };
  for (const b of blocks) {
    if (b.type === 'input') add(b.block_id, b.element, { label: b.label.text, optional: b.optional === true });
    else if (b.type === 'actions') for (const e of b.elements) add(b.block_id, e);
    else if (b.type === 'section' && b.accessory) add(b.block_id, b.accessory);
  }
  return out;
}

function isStateful(element: unknown): element is ActionElement {
  return (
    typeof element === 'object' &&
    element !== null &&
    'action_id' in element &&
    'type' in element &&
    STATEFUL.has(String(element.type))
  );
}

/** Finds the interactive element with this block id and action id. */
export function findElement(blocks: readonly Block[], blockId: string, actionId: string): ActionElement | undefined {
  for (const b of blocks) {
    if (b.block_id !== blockId) continue;
    const candidates: unknown[] =
      b.type === 'input' ? [b.element] : b.type === 'actions' ? b.elements : b.type === 'section' ? [b.accessory] : [];
    const found = candidates.find(
      (e): e is ActionElement => typeof e === 'object' && e !== null && 'action_id' in e && e.action_id === actionId,
    );
    if (found) return found;
  }
  return undefined;
}

/** Builds `state.values` from the blocks and the entries; elements without an entry keep their initial value. */
export function stateValues(blocks: readonly Block[], entries: Entries): StateValues {
  const values: StateValues = {};
  for (const { blockId, element } of statefulElements(blocks)) {
    const entry = entries[blockId]?.[element.action_id];
    const row = values[blockId] ?? {};
    values[blockId] = row;
    row[element.action_id] = elementState(element, entry);
  }
  return values;
}

/** One element's state value from an entry (`undefined` = untouched: its initial value). */
export function elementState(element: ActionElement, entry: Entry | undefined): StateValue {
  const one = (): string | null =>
    entry === undefined ? null : typeof entry === 'string' && entry !== '' ? entry : null;
  const many = (): readonly string[] =>
    Array.isArray(entry) ? entry : typeof entry === 'string' && entry !== '' ? [entry] : [];
  switch (element.type) {
    case 'plain_text_input':
    case 'number_input':
      return { type: element.type, value: entry === undefined ? (element.initial_value ?? null) : one() };
    case 'static_select':
    case 'radio_buttons': {
      const pick = entry === undefined ? element.initial_option : findOption(optionsOf(element), one());
      return { type: element.type, selected_option: pick ?? null };
    }
    case 'multi_static_select':
    case 'checkboxes': {
      const picks = entry === undefined ? (element.initial_options ?? []) : pickOptions(optionsOf(element), many());
      return { type: element.type, selected_options: picks };
    }
    case 'datepicker':
      return {
        type: element.type,
        selected_date: entry === undefined ? (element.initial_date ?? null) : dateOrNull(one()),
      };
    case 'timepicker':
      return {
        type: element.type,
        selected_time: entry === undefined ? (element.initial_time ?? null) : timeOrNull(one()),
        ...(element.timezone ? { timezone: element.timezone } : {}),
      };
    case 'users_select':
      return { type: element.type, selected_user: entry === undefined ? (element.initial_user ?? null) : one() };
    case 'button':
    case 'overflow':
      return { type: element.type };
  }
}

function findOption(options: readonly OptionObject[], value: string | null): OptionObject | undefined {
  return value === null ? undefined : options.find((o) => o.value === value);
}

function pickOptions(options: readonly OptionObject[], values: readonly string[]): OptionObject[] {
  return options.filter((o) => values.includes(o.value));
}

function dateOrNull(value: string | null): string | null {
  return value !== null && /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : null;
}

function timeOrNull(value: string | null): string | null {
  return value !== null && /^\d{2}:\d{2}$/.test(value) ? value : null;
}

/** Whether a state value holds something (what "required" means for each element). */
export function hasValue(state: StateValue): boolean {
  const v =
    state.value ??
    state.selected_option ??
    state.selected_date ??
    state.selected_time ??
    state.selected_user ??
    state.selected_options;
  return Array.isArray(v) ? v.length > 0 : v !== null && v !== undefined && v !== '';
}

/** The errors the Slack client shows before it sends a submission, by block id (empty = it sends it). */
export function clientSideErrors(blocks: readonly Block[], entries: Entries): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const { blockId, element, input } of statefulElements(blocks)) {
    if (!input) continue;
    const state = elementState(element, entries[blockId]?.[element.action_id]);
    if (!hasValue(state)) {
      if (!input.optional) errors[blockId] = 'Please complete this required field.';
      continue;
    }
    if (element.type === 'plain_text_input' && typeof state.value === 'string') {
      const length = [...state.value].length;
      if (element.min_length !== undefined && length < element.min_length)
        errors[blockId] = `Please enter at least ${element.min_length} characters.`;
      if (element.max_length !== undefined && length > element.max_length)
        errors[blockId] = `Please enter no more than ${element.max_length} characters.`;
    }
    if (element.type === 'number_input' && typeof state.value === 'string') {
      const n = Number(state.value);
      if (!Number.isFinite(n) || (!element.is_decimal_allowed && !Number.isInteger(n)))
        errors[blockId] = 'Please enter a valid number.';
      else if (element.min_value !== undefined && n < Number(element.min_value))
        errors[blockId] = `Please enter a number of at least ${element.min_value}.`;
      else if (element.max_value !== undefined && n > Number(element.max_value))
        errors[blockId] = `Please enter a number no greater than ${element.max_value}.`;
    }
  }
  return errors;
}
