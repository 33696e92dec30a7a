import { normalizeBlocks } from '../../../../local/sandbox/block-kit';
import { type ActionRef, renderBlocks, renderMrkdwn, renderText } from '../../../../local/sandbox/ui/render-blocks';
import { allNodes, type Child, textOf, type VNode } from '../../../../local/sandbox/ui/vnode';

const names = { user: (id: string) => ({ U0BOB: 'bob' })[id] };
const render = (blocks: unknown[], extra: Partial<Parameters<typeof renderBlocks>[1]> = {}): VNode[] =>
  renderBlocks(normalizeBlocks(blocks, 'S').blocks, { names, surface: 's', ...extra });
const find = (nodes: readonly Child[], predicate: (n: VNode) => boolean): VNode[] => allNodes(nodes).filter(predicate);
const plain = (text: string) => ({ type: 'plain_text', text });

describe('rendering text safely', () => {
  it('never turns text into markup: tags and entities show as typed', () => {
    const nodes = renderMrkdwn('&lt;img src=x onerror=alert(1)&gt; <b>hi</b>', names);
    // Raw <b> and </b> are Slack control sequences to "b" and "/b" (not URLs): shown as text, never as tags or links.
    expect(textOf(nodes)).toBe('<img src=x onerror=alert(1)> bhi/b');
    expect(allNodes(nodes).map((n) => n.tag)).toEqual([]);
  });

  it('shows plain_text literally: no mentions, links or entities decoded', () => {
    expect(renderText({ type: 'plain_text', text: '<!channel> <http://evil|click> &amp; :lock:' }, names)).toEqual([
      '<!channel> <http://evil|click> &amp; 🔒',
    ]);
    expect(renderText({ type: 'plain_text', text: ':lock:', emoji: false }, names)).toEqual([':lock:']);
  });

  it('makes links only to http(s) and mailto, opening apart from the page', () => {
    const links = find(renderMrkdwn('<https://a.example|a> <javascript:x|b>', names), (n) => n.tag === 'a');
    expect(links.map((l) => l.attrs)).toEqual([
      { href: 'https://a.example', target: '_blank', rel: 'noopener noreferrer' },
    ]);
  });

  it('draws mentions and broadcasts as highlighted names', () => {
    const spans = find(renderMrkdwn('<@U0BOB> <!channel>', names), (n) => n.tag === 'span');
    expect(spans.map((s) => [s.attrs.class, textOf(s)])).toEqual([
      ['mention', '@bob'],
      ['mention mention-broadcast', '@channel'],
    ]);
  });
});

describe('rendering Block Kit', () => {
  it('draws layout blocks: section text and fields with an accessory, header, divider, context, image', () => {
    const nodes = render([
      { type: 'header', text: plain('Access request :lock:') },
      {
        type: 'section',
        text: { type: 'mrkdwn', text: '*Requester* <@U0BOB>' },
        fields: [{ type: 'mrkdwn', text: '*SVM*\n`svm1`' }, plain('2h')],
        accessory: { type: 'button', action_id: 'more', text: plain('Details') },
      },
      { type: 'divider' },
      {
        type: 'context',
        elements: [
          { type: 'mrkdwn', text: 'Request `REQ-1`' },
          { type: 'image', image_url: 'https://x/y.png', alt_text: 'status' },
        ],
      },
      { type: 'image', image_url: 'javascript:alert(1)', alt_text: 'chart' },
      { type: 'video', title: plain('x') },
    ]);
    expect(nodes.map((n) => n.tag)).toEqual(['h3', 'div', 'hr', 'div', 'figure', 'div']);
    expect(textOf(nodes[0]!)).toBe('Access request 🔒');
    expect(textOf(nodes[1]!)).toBe('Requester @bobSVMsvm12hDetails');
    expect(find([nodes[1]!], (n) => n.tag === 'br')).toHaveLength(1);
    expect(find([nodes[1]!], (n) => n.attrs.class === 'bk-field')).toHaveLength(2);
    expect(textOf(nodes[3]!)).toBe('Request REQ-1🖼 status');
    expect(find(nodes, (n) => n.tag === 'img' || 'src' in n.attrs)).toEqual([]);
    expect(textOf(nodes[5]!)).toMatch(/^Unsupported block "video"/);
  });

  it('draws buttons with their styles and reports clicks with the block and element', () => {
    const clicks: ActionRef[] = [];
    const nodes = render(
      [
        {
          type: 'actions',
          block_id: 'decision',
          elements: [
            { type: 'button', action_id: 'approve', style: 'primary', value: 'R', text: plain('Approve') },
            {
              type: 'button',
              action_id: 'deny',
              style: 'danger',
              text: plain('Deny'),
              confirm: { title: plain('Sure?'), text: plain('Really'), confirm: plain('Yes'), deny: plain('No') },
            },
            { type: 'button', action_id: 'docs', url: 'https://docs.example', text: plain('Docs') },
          ],
        },
      ],
      { onAction: (ref) => clicks.push(ref) },
    );
    const buttons = find(nodes, (n) => n.tag === 'button');
    expect(buttons.map((b) => [b.attrs.class, b.attrs.type, b.attrs['data-action-id'], textOf(b)])).toEqual([
      ['bk-button bk-button-primary', 'button', 'approve', 'Approve'],
      ['bk-button bk-button-danger', 'button', 'deny', 'Deny'],
      ['bk-button', 'button', 'docs', 'Docs ↗'],
    ]);
    (buttons[1]!.attrs.onclick as () => void)();
    expect(clicks).toHaveLength(1);
    expect(clicks[0]).toMatchObject({
      blockId: 'decision',
      element: { action_id: 'deny', confirm: { title: { text: 'Sure?' } } },
    });
  });

  it('draws inputs with labels, optional marks, hints, placeholders, initial values and errors', () => {
    const nodes = render(
      [
        {
          type: 'input',
          block_id: 'd',
          label: plain('Duration'),
          hint: plain('At most 8h.'),
          element: { type: 'plain_text_input', action_id: 'd', initial_value: '1h', max_length: 10 },
        },
        {
          type: 'input',
          block_id: 'j',
          optional: true,
          label: plain('Why'),
          element: { type: 'plain_text_input', action_id: 'j', multiline: true, placeholder: plain('Say why') },
        },
      ],
      { errors: { d: 'Too long.' } },
    );
    const [duration, why] = nodes;
    const label = find([duration!], (n) => n.tag === 'label')[0]!;
    const field = find([duration!], (n) => n.tag === 'input')[0]!;
    expect(label.attrs.for).toBe(field.attrs.id);
    expect(field.attrs).toMatchObject({
      type: 'text',
      value: '1h',
      maxlength: 10,
      'aria-invalid': 'true',
      'data-type': 'plain_text_input',
    });
    expect(field.attrs['aria-describedby']).toBe(`${String(field.attrs.id)}-hint ${String(field.attrs.id)}-error`);
    expect(find([duration!], (n) => n.attrs.role === 'alert').map(textOf)).toEqual(['Too long.']);
    expect(duration!.attrs.class).toBe('bk-input bk-input-error');
    const area = find([why!], (n) => n.tag === 'textarea')[0]!;
    expect(area.attrs).toMatchObject({ placeholder: 'Say why' });
    expect(textOf(why!)).toContain('Why (optional)');
  });

  it('draws selects with groups and the initial option, radio buttons and pickers', () => {
    const changes: ActionRef[] = [];
    const o = (v: string) => ({ text: plain(v), value: v });
    const nodes = render(
      [
        {
          type: 'input',
          block_id: 'svm',
          dispatch_action: true,
          label: plain('SVM'),
          element: {
            type: 'static_select',
            action_id: 'svm',
            placeholder: plain('Pick one'),
            initial_option: o('svm2'),
            option_groups: [{ label: plain('cluster1'), options: [o('svm1'), o('svm2')] }],
          },
        },
        {
          type: 'input',
          block_id: 'role',
          label: plain('Role'),
          element: {
            type: 'radio_buttons',
            action_id: 'role',
            initial_option: o('b'),
            options: [o('a'), { ...o('b'), description: plain('B!') }],
          },
        },
        {
          type: 'input',
          block_id: 'date',
          label: plain('Date'),
          element: { type: 'datepicker', action_id: 'date', initial_date: '2025-01-02' },
        },
        { type: 'input', block_id: 'time', label: plain('Time'), element: { type: 'timepicker', action_id: 'time' } },
      ],
      { onAction: (ref) => changes.push(ref) },
    );
    const select = find(nodes, (n) => n.tag === 'select')[0]!;
    expect(find([select], (n) => n.tag === 'optgroup').map((g) => g.attrs.label)).toEqual(['cluster1']);
    expect(
      find([select], (n) => n.tag === 'option').map((op) => [op.attrs.value, op.attrs.selected ?? false, textOf(op)]),
    ).toEqual([
      ['', false, 'Pick one'],
      ['svm1', false, 'svm1'],
      ['svm2', true, 'svm2'],
    ]);
    (select.attrs.onchange as () => void)();
    expect(changes.map((c) => c.element.action_id)).toEqual(['svm']);
    const radios = find([nodes[1]!], (n) => n.tag === 'input');
    expect(radios.map((r) => [r.attrs.type, r.attrs.value, r.attrs.checked])).toEqual([
      ['radio', 'a', false],
      ['radio', 'b', true],
    ]);
    expect(radios[0]!.attrs.onchange).toBeUndefined();
    expect(find([nodes[1]!], (n) => n.attrs.role === 'radiogroup')[0]!.attrs['aria-labelledby']).toBeDefined();
    expect(find([nodes[2]!], (n) => n.tag === 'input')[0]!.attrs).toMatchObject({ type: 'date', value: '2025-01-02' });
    expect(find([nodes[3]!], (n) => n.tag === 'input')[0]!.attrs).toMatchObject({ type: 'time' });
  });
});
