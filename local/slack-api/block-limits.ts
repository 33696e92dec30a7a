/**
 * Block Kit's documented limits, checked as Slack checks them before it accepts a surface: how many
 * blocks it may hold, and the lengths of texts, ids and values, and elements per block. A surface
 * over a limit is refused whole (`invalid_blocks`), so a Home tab that grows with a person's
 * requests fails here, in tests, rather than in a workspace.
 * https://api.slack.com/reference/block-kit/blocks, .../block-elements, .../composition-objects
 */

/** The surfaces and how many blocks each holds. */
export const MAX_BLOCKS = { message: 50, modal: 100, home: 100 } as const;

/** A surface Block Kit draws. */
export type Surface = keyof typeof MAX_BLOCKS;

const LIMITS = {
  blockId: 255,
  actionId: 255,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  optionText: 75,
  optionValue: 150,
} as const;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const textOf = (value: unknown): string => (isObject(value) && typeof value.text === 'string' ? value.text : '');

/** What is over Block Kit's limits on `blocks` shown on `surface`; empty when Slack would accept it. */
export function blockKitProblems(blocks: unknown, surface: Surface): string[] {
  if (!Array.isArray(blocks)) return ['blocks is not an array'];
  const problems: string[] = [];
  if (blocks.length > MAX_BLOCKS[surface]) problems.push(`${blocks.length} blocks (at most ${MAX_BLOCKS[surface]})`);
  const ids = new Set<string>();
  blocks.forEach((block, i) => {
    const at = `blocks[${i}]`;
    if (!isObject(block)) {
      problems.push(`${at} is not an object`);
      return;
    }
    const over = (what: string, length: number, max: number): void => {
      if (length > max) problems.push(`${at} ${what}: ${length} characters (at most ${max})`);
    };
    if (typeof block.block_id === 'string') {
      over('block_id', block.block_id.length, LIMITS.blockId);
      if (ids.has(block.block_id)) problems.push(`${at} block_id ${block.block_id} is not unique`);
      ids.add(block.block_id);
    }
    switch (block.type) {
      case 'section': {
        over('text', textOf(block.text).length, LIMITS.sectionText);
        const fields = Array.isArray(block.fields) ? block.fields : [];
        if (fields.length > LIMITS.sectionFields) problems.push(`${at} has ${fields.length} fields`);
        for (const field of fields) over('field', textOf(field).length, LIMITS.fieldText);
        if (isObject(block.accessory)) problems.push(...elementProblems(block.accessory, `${at}.accessory`));
        break;
      }
      case 'header':
        over('text', textOf(block.text).length, LIMITS.headerText);
        break;
      case 'context': {
        const elements = Array.isArray(block.elements) ? block.elements : [];
        if (elements.length > LIMITS.contextElements) problems.push(`${at} has ${elements.length} elements`);
        for (const element of elements) over('element text', textOf(element).length, LIMITS.sectionText);
        break;
      }
      case 'actions': {
        const elements = Array.isArray(block.elements) ? block.elements : [];
        if (elements.length > LIMITS.actionsElements) problems.push(`${at} has ${elements.length} elements`);
        const actionIds = new Set<string>();
        elements.forEach((element, j) => {
          if (!isObject(element)) return;
          problems.push(...elementProblems(element, `${at}.elements[${j}]`));
          const id = typeof element.action_id === 'string' ? element.action_id : undefined;
          if (id !== undefined && actionIds.has(id)) problems.push(`${at} action_id ${id} is not unique in its block`);
          if (id !== undefined) actionIds.add(id);
        });
        break;
      }
      default:
        break;
    }
  });
  return problems;
}

function elementProblems(element: Json, at: string): string[] {
  const problems: string[] = [];
  const over = (what: string, length: number, max: number): void => {
    if (length > max) problems.push(`${at} ${what}: ${length} characters (at most ${max})`);
  };
  if (typeof element.action_id === 'string') over('action_id', element.action_id.length, LIMITS.actionId);
  if (element.type === 'button') {
    over('text', textOf(element.text).length, LIMITS.buttonText);
    if (typeof element.value === 'string') over('value', element.value.length, LIMITS.buttonValue);
  }
  const options = Array.isArray(element.options) ? element.options : [];
  for (const option of options) {
    if (!isObject(option)) continue;
    over('option text', textOf(option.text).length, LIMITS.optionText);
    if (typeof option.value === 'string') over('option value', option.value.length, LIMITS.optionValue);
  }
  return problems;
}
