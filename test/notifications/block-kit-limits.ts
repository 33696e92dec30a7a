/**
 * Block Kit's documented limits for a message (https://api.slack.com/reference/block-kit/blocks):
 * what Slack refuses with `invalid_blocks`, checked on what the product sent the stand-in.
 */

const LIMITS = {
  blocks: 50,
  text: 40_000,
  sectionText: 3000,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  id: 255,
} as const;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const textOf = (v: unknown): string => (isObject(v) && typeof v.text === 'string' ? v.text : '');

/** The limits a message's arguments (chat.postMessage / chat.update) break; empty when none. */
export function checkBlockKit(args: Json): string[] {
  const problems: string[] = [];
  const text = typeof args.text === 'string' ? args.text : '';
  if (text.length > LIMITS.text) problems.push(`text is ${text.length} characters`);
  const blocks = Array.isArray(args.blocks) ? args.blocks : [];
  if (blocks.length > LIMITS.blocks) problems.push(`${blocks.length} blocks`);
  for (const [i, block] of blocks.entries()) {
    if (!isObject(block)) {
      problems.push(`block ${i} is not an object`);
      continue;
    }
    if (typeof block.block_id === 'string' && block.block_id.length > LIMITS.id) problems.push(`block ${i} id`);
    if (block.type === 'section' && textOf(block.text).length > LIMITS.sectionText)
      problems.push(`block ${i} section text is ${textOf(block.text).length} characters`);
    const elements = Array.isArray(block.elements) ? block.elements : [];
    if (block.type === 'context' && elements.length > LIMITS.contextElements) problems.push(`block ${i} context`);
    if (block.type === 'actions') {
      if (elements.length > LIMITS.actionsElements) problems.push(`block ${i} has ${elements.length} elements`);
      for (const element of elements.filter(isObject)) {
        if (textOf(element.text).length > LIMITS.buttonText) problems.push(`block ${i} button text`);
        if (typeof element.value === 'string' && element.value.length > LIMITS.buttonValue)
          problems.push(`block ${i} button value`);
        if (typeof element.action_id === 'string' && element.action_id.length > LIMITS.id)
          problems.push(`block ${i} action_id`);
      }
    }
  }
  return problems;
}
