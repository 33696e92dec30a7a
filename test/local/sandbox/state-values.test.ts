import { normalizeBlocks } from '../../../local/sandbox/block-kit';
import { clientSideErrors, findElement, statefulElements, stateValues } from '../../../local/sandbox/state-values';

const plain = (text: string) => ({ type: 'plain_text', text });
const opt = (value: string, description?: string) => ({
  text: plain(value),
  value,
  ...(description ? { description: plain(description) } : {}),
});
const echoed = (value: string, description?: string) => ({
  text: { type: 'plain_text', text: value, emoji: true },
  value,
  ...(description ? { description: { type: 'plain_text', text: description, emoji: true } } : {}),
});
const input = (block_id: string, element: object, extra: object = {}) => ({
  type: 'input',
  block_id,
  label: plain(block_id),
  element,
  ...extra,
});

const { blocks } = normalizeBlocks(
  [
    input('one', { type: 'plain_text_input', action_id: 'v', initial_value: 'hello' }),
    input('many', { type: 'plain_text_input', action_id: 'v', multiline: true, min_length: 10 }),
    input('svm', {
      type: 'static_select',
      action_id: 'v',
      option_groups: [{ label: plain('cluster1'), options: [opt('svm1'), opt('svm2')] }],
    }),
    input('role', {
      type: 'radio_buttons',
      action_id: 'v',
      options: [opt('vsadmin'), opt('vsadmin-volume', 'Volumes only')],
      initial_option: opt('vsadmin'),
    }),
    input('date', { type: 'datepicker', action_id: 'v' }, { optional: true }),
    input('time', { type: 'timepicker', action_id: 'v', initial_time: '09:00' }, { optional: true }),
    input(
      'tags',
      { type: 'multi_static_select', action_id: 'v', options: [opt('a'), opt('b'), opt('c')] },
      { optional: true },
    ),
    input('checks', { type: 'checkboxes', action_id: 'v', options: [opt('notify')] }, { optional: true }),
    input(
      'count',
      { type: 'number_input', action_id: 'v', is_decimal_allowed: false, min_value: '1', max_value: '3' },
      { optional: true },
    ),
    input('who', { type: 'users_select', action_id: 'v' }, { optional: true }),
    {
      type: 'actions',
      block_id: 'act',
      elements: [
        { type: 'button', action_id: 'go', text: plain('Go') },
        { type: 'static_select', action_id: 'pick', options: [opt('x')] },
      ],
    },
    { type: 'section', block_id: 'sec', text: plain('x'), accessory: { type: 'datepicker', action_id: 'when' } },
  ],
  'V',
);

describe('state.values', () => {
  it('holds every stateful element: inputs, selects in actions blocks, accessories; never buttons', () => {
    expect(statefulElements(blocks).map((s) => `${s.blockId}/${s.element.action_id}`)).toEqual([
      'one/v',
      'many/v',
      'svm/v',
      'role/v',
      'date/v',
      'time/v',
      'tags/v',
      'checks/v',
      'count/v',
      'who/v',
      'act/pick',
      'sec/when',
    ]);
    expect(findElement(blocks, 'act', 'go')?.type).toBe('button');
    expect(findElement(blocks, 'act', 'nope')).toBeUndefined();
  });

  it('keeps initial values of untouched elements and nulls for empty ones, in Slack shapes', () => {
    expect(stateValues(blocks, {})).toEqual({
      one: { v: { type: 'plain_text_input', value: 'hello' } },
      many: { v: { type: 'plain_text_input', value: null } },
      svm: { v: { type: 'static_select', selected_option: null } },
      role: { v: { type: 'radio_buttons', selected_option: echoed('vsadmin') } },
      date: { v: { type: 'datepicker', selected_date: null } },
      time: { v: { type: 'timepicker', selected_time: '09:00' } },
      tags: { v: { type: 'multi_static_select', selected_options: [] } },
      checks: { v: { type: 'checkboxes', selected_options: [] } },
      count: { v: { type: 'number_input', value: null } },
      who: { v: { type: 'users_select', selected_user: null } },
      act: { pick: { type: 'static_select', selected_option: null } },
      sec: { when: { type: 'datepicker', selected_date: null } },
    });
  });

  it('echoes the chosen options exactly as the app defined them (groups included)', () => {
    const values = stateValues(blocks, {
      one: { v: null },
      many: { v: 'line one\nline two' },
      svm: { v: 'svm2' },
      role: { v: 'vsadmin-volume' },
      date: { v: '2025-03-04' },
      time: { v: '13:45' },
      tags: { v: ['c', 'a', 'zzz'] },
      checks: { v: ['notify'] },
      count: { v: '2' },
      who: { v: 'U0BOB' },
    });
    expect(values.one?.v).toEqual({ type: 'plain_text_input', value: null });
    expect(values.many?.v).toEqual({ type: 'plain_text_input', value: 'line one\nline two' });
    expect(values.svm?.v).toEqual({ type: 'static_select', selected_option: echoed('svm2') });
    expect(values.role?.v).toEqual({
      type: 'radio_buttons',
      selected_option: echoed('vsadmin-volume', 'Volumes only'),
    });
    expect(values.date?.v).toEqual({ type: 'datepicker', selected_date: '2025-03-04' });
    expect(values.time?.v).toEqual({ type: 'timepicker', selected_time: '13:45' });
    expect(values.tags?.v).toEqual({ type: 'multi_static_select', selected_options: [echoed('a'), echoed('c')] });
    expect(values.checks?.v).toEqual({ type: 'checkboxes', selected_options: [echoed('notify')] });
    expect(values.count?.v).toEqual({ type: 'number_input', value: '2' });
    expect(values.who?.v).toEqual({ type: 'users_select', selected_user: 'U0BOB' });
  });

  it('drops what the element could not hold (an unknown option, a malformed date)', () => {
    const values = stateValues(blocks, { svm: { v: 'svm9' }, date: { v: '03/04/2025' }, time: { v: '1pm' } });
    expect(values.svm?.v).toEqual({ type: 'static_select', selected_option: null });
    expect(values.date?.v).toEqual({ type: 'datepicker', selected_date: null });
    expect(values.time?.v).toEqual({ type: 'timepicker', selected_time: null });
  });
});

describe('what the Slack client checks before it sends a submission', () => {
  it('refuses empty required inputs and lengths and numbers out of range', () => {
    expect(clientSideErrors(blocks, { count: { v: '7' } })).toEqual({
      many: 'Please complete this required field.',
      svm: 'Please complete this required field.',
      count: 'Please enter a number no greater than 3.',
    });
    expect(clientSideErrors(blocks, { many: { v: 'short' }, svm: { v: 'svm1' }, count: { v: '1.5' } })).toEqual({
      many: 'Please enter at least 10 characters.',
      count: 'Please enter a valid number.',
    });
    expect(clientSideErrors(blocks, { many: { v: 'long enough now' }, svm: { v: 'svm1' } })).toEqual({});
  });
});
