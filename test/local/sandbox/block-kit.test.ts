import { generatedId, normalizeBlocks, normalizeText } from '../../../local/sandbox/block-kit';

describe("Slack's normalisation of stored blocks", () => {
  it('generates missing block and action ids, stable for the same place, different elsewhere', () => {
    const blocks = [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: 'hi' },
        accessory: { type: 'button', text: { type: 'plain_text', text: 'Go' } },
      },
      {
        type: 'actions',
        elements: [
          { type: 'button', text: { type: 'plain_text', text: 'A' } },
          { type: 'button', text: { type: 'plain_text', text: 'B' } },
        ],
      },
      {
        type: 'input',
        block_id: 'kept',
        label: { type: 'plain_text', text: 'L' },
        element: { type: 'plain_text_input', action_id: 'kept' },
      },
    ];
    const first = normalizeBlocks(blocks, 'V1');
    const again = normalizeBlocks(blocks, 'V1');
    const other = normalizeBlocks(blocks, 'V2');
    expect(first.raw).toEqual(again.raw);
    expect(first.raw[0]!.block_id).not.toBe(other.raw[0]!.block_id);
    const ids = [
      first.raw[0]!.block_id,
      first.raw[1]!.block_id,
      (first.raw[0]!.accessory as { action_id: string }).action_id,
      ...(first.raw[1]!.elements as { action_id: string }[]).map((e) => e.action_id),
    ];
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[0-9A-Za-z]{5}$/);
    expect(first.raw[2]).toMatchObject({ block_id: 'kept', element: { action_id: 'kept' } });
    expect(Object.keys(first.raw[0]!).slice(0, 2)).toEqual(['type', 'block_id']);
  });

  it('marks text objects as Slack echoes them, without touching what the app set', () => {
    expect(
      normalizeText({
        a: { type: 'plain_text', text: 'x' },
        b: { type: 'plain_text', text: 'x', emoji: false },
        c: [{ type: 'mrkdwn', text: '*y*' }],
        d: { type: 'mrkdwn', text: 'z', verbatim: true },
      }),
    ).toEqual({
      a: { type: 'plain_text', text: 'x', emoji: true },
      b: { type: 'plain_text', text: 'x', emoji: false },
      c: [{ type: 'mrkdwn', text: '*y*', verbatim: false }],
      d: { type: 'mrkdwn', text: 'z', verbatim: true },
    });
  });

  it('reads what it knows and marks the rest unsupported, keeping it for payloads', () => {
    const { raw, blocks } = normalizeBlocks(
      [
        { type: 'rich_text', elements: [] },
        { type: 'header', text: { type: 'mrkdwn', text: 'headers are plain_text' } },
        { type: 'actions', elements: [{ type: 'workflow_button', text: { type: 'plain_text', text: 'Run' } }] },
        'not a block',
      ],
      'M',
    );
    expect(blocks.map((b) => b.type)).toEqual(['unsupported', 'unsupported', 'actions', 'unsupported']);
    expect(blocks[0]).toMatchObject({ originalType: 'rich_text' });
    const actions = blocks[2]!;
    expect(actions.type === 'actions' && actions.elements[0]).toEqual({
      type: 'unsupported',
      originalType: 'workflow_button',
    });
    expect(raw[0]).toMatchObject({ type: 'rich_text', elements: [] });
    expect(normalizeBlocks(undefined, 'x')).toEqual({ raw: [], blocks: [] });
  });

  it('makes short ids like the ones Slack makes', () => {
    expect(generatedId('a')).toMatch(/^[0-9A-Za-z]{5}$/);
    expect(generatedId('a')).toBe(generatedId('a'));
    expect(generatedId('a')).not.toBe(generatedId('b'));
  });
});
