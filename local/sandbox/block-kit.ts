/**
 * The Block Kit the sandbox understands, as zod schemas (types derived from them), and the
 * normalisation Slack applies to every surface it stores: missing `block_id`s and `action_id`s are
 * generated, `plain_text` objects get `emoji: true` and `mrkdwn` objects `verbatim: false`. Apps
 * see exactly these normalised blocks back in payloads. Anything the schemas do not know is kept
 * (for payloads) and rendered as "unsupported" rather than guessed at.
 */
import { z } from 'zod';

const plainText = z.looseObject({ type: z.literal('plain_text'), text: z.string(), emoji: z.boolean().optional() });
const mrkdwnText = z.looseObject({ type: z.literal('mrkdwn'), text: z.string(), verbatim: z.boolean().optional() });
const textObject = z.discriminatedUnion('type', [plainText, mrkdwnText]);
const option = z.looseObject({
  text: textObject,
  value: z.string(),
  description: textObject.optional(),
  url: z.string().optional(),
});
const optionGroup = z.looseObject({ label: plainText, options: z.array(option) });
const confirm = z.looseObject({
  title: plainText.optional(),
  text: textObject,
  confirm: plainText.optional(),
  deny: plainText.optional(),
  style: z.enum(['primary', 'danger']).optional(),
});

const actionId = z.string();
const button = z.looseObject({
  type: z.literal('button'),
  action_id: actionId,
  text: plainText,
  value: z.string().optional(),
  url: z.string().optional(),
  style: z.enum(['primary', 'danger']).optional(),
  confirm: confirm.optional(),
  accessibility_label: z.string().optional(),
});
const staticSelect = z.looseObject({
  type: z.literal('static_select'),
  action_id: actionId,
  placeholder: plainText.optional(),
  options: z.array(option).optional(),
  option_groups: z.array(optionGroup).optional(),
  initial_option: option.optional(),
  confirm: confirm.optional(),
});
const multiStaticSelect = z.looseObject({
  type: z.literal('multi_static_select'),
  action_id: actionId,
  placeholder: plainText.optional(),
  options: z.array(option).optional(),
  option_groups: z.array(optionGroup).optional(),
  initial_options: z.array(option).optional(),
  max_selected_items: z.number().optional(),
});
const radioButtons = z.looseObject({
  type: z.literal('radio_buttons'),
  action_id: actionId,
  options: z.array(option),
  initial_option: option.optional(),
});
const checkboxes = z.looseObject({
  type: z.literal('checkboxes'),
  action_id: actionId,
  options: z.array(option),
  initial_options: z.array(option).optional(),
});
const datepicker = z.looseObject({
  type: z.literal('datepicker'),
  action_id: actionId,
  initial_date: z.string().optional(),
  placeholder: plainText.optional(),
});
const timepicker = z.looseObject({
  type: z.literal('timepicker'),
  action_id: actionId,
  initial_time: z.string().optional(),
  placeholder: plainText.optional(),
  timezone: z.string().optional(),
});
const plainTextInput = z.looseObject({
  type: z.literal('plain_text_input'),
  action_id: actionId,
  multiline: z.boolean().optional(),
  initial_value: z.string().optional(),
  placeholder: plainText.optional(),
  min_length: z.number().int().optional(),
  max_length: z.number().int().optional(),
  dispatch_action_config: z.looseObject({ trigger_actions_on: z.array(z.string()).optional() }).optional(),
});
const numberInput = z.looseObject({
  type: z.literal('number_input'),
  action_id: actionId,
  is_decimal_allowed: z.boolean(),
  initial_value: z.string().optional(),
  min_value: z.string().optional(),
  max_value: z.string().optional(),
  placeholder: plainText.optional(),
});
const usersSelect = z.looseObject({
  type: z.literal('users_select'),
  action_id: actionId,
  initial_user: z.string().optional(),
  placeholder: plainText.optional(),
});
const overflow = z.looseObject({
  type: z.literal('overflow'),
  action_id: actionId,
  options: z.array(option),
  confirm: confirm.optional(),
});
const imageElement = z.looseObject({
  type: z.literal('image'),
  alt_text: z.string(),
  image_url: z.string().optional(),
});
const unsupportedElement = z
  .looseObject({ type: z.string() })
  .transform((raw) => ({ type: 'unsupported' as const, originalType: raw.type }));

const element = z.union([
  z.discriminatedUnion('type', [
    button,
    staticSelect,
    multiStaticSelect,
    radioButtons,
    checkboxes,
    datepicker,
    timepicker,
    plainTextInput,
    numberInput,
    usersSelect,
    overflow,
    imageElement,
  ]),
  unsupportedElement,
]);

const blockId = z.string();
const block = z.discriminatedUnion('type', [
  z.looseObject({
    type: z.literal('section'),
    block_id: blockId,
    text: textObject.optional(),
    fields: z.array(textObject).optional(),
    accessory: element.optional(),
  }),
  z.looseObject({ type: z.literal('header'), block_id: blockId, text: plainText }),
  z.looseObject({ type: z.literal('divider'), block_id: blockId }),
  z.looseObject({
    type: z.literal('context'),
    block_id: blockId,
    elements: z.array(z.union([textObject, imageElement])),
  }),
  z.looseObject({ type: z.literal('actions'), block_id: blockId, elements: z.array(element) }),
  z.looseObject({
    type: z.literal('input'),
    block_id: blockId,
    label: plainText,
    element,
    hint: plainText.optional(),
    optional: z.boolean().optional(),
    dispatch_action: z.boolean().optional(),
  }),
  z.looseObject({
    type: z.literal('image'),
    block_id: blockId,
    alt_text: z.string(),
    image_url: z.string().optional(),
    title: plainText.optional(),
  }),
]);

/** A text object: `plain_text` or `mrkdwn`. */
export type TextObject = z.infer<typeof textObject>;
/** A `plain_text` object. */
export type PlainText = z.infer<typeof plainText>;
/** An option of a select, radio group, checkbox group or overflow menu. */
export type OptionObject = z.infer<typeof option>;
/** A confirmation dialog a button or select may ask for. */
export type ConfirmObject = z.infer<typeof confirm>;
/** A block element the sandbox renders (or `unsupported`). */
export type BlockElement = z.infer<typeof element>;
/** An interactive element: anything that has an `action_id`. */
export type ActionElement = Extract<BlockElement, { action_id: string }>;
/** A layout block the sandbox renders. */
export type KnownBlock = z.infer<typeof block>;
/** A block that could not be read, shown as such. */
export interface UnsupportedBlock {
  readonly type: 'unsupported';
  readonly block_id: string;
  readonly originalType: string;
  readonly problem: string;
}
/** A block as the renderer sees it. */
export type Block = KnownBlock | UnsupportedBlock;

/** A surface's blocks after Slack's normalisation: `raw` to echo in payloads, `blocks` to render. */
export interface NormalizedBlocks {
  readonly raw: Record<string, unknown>[];
  readonly blocks: Block[];
}

/** Element types that carry an `action_id` (Slack generates one when missing). */
const INTERACTIVE = new Set([
  'button',
  'static_select',
  'multi_static_select',
  'external_select',
  'multi_external_select',
  'users_select',
  'multi_users_select',
  'conversations_select',
  'multi_conversations_select',
  'channels_select',
  'multi_channels_select',
  'radio_buttons',
  'checkboxes',
  'datepicker',
  'timepicker',
  'datetimepicker',
  'plain_text_input',
  'number_input',
  'email_text_input',
  'url_text_input',
  'overflow',
]);

/** Normalises and reads a surface's blocks; `seed` (a view id, a message ts) keeps generated ids stable. */
export function normalizeBlocks(blocks: unknown, seed: string): NormalizedBlocks {
  const list = Array.isArray(blocks) ? blocks : [];
  const raw: Record<string, unknown>[] = [];
  const parsed: Block[] = [];
  list.forEach((entry: unknown, index) => {
    const normalized = normalizeBlock(entry, `${seed}/${index}`);
    raw.push(normalized);
    const result = block.safeParse(normalized);
    parsed.push(
      result.success
        ? result.data
        : {
            type: 'unsupported',
            block_id: String(normalized.block_id),
            originalType: typeof normalized.type === 'string' ? normalized.type : 'unknown',
            problem: result.error.issues[0]?.message ?? 'not a block',
          },
    );
  });
  return { raw, blocks: parsed };
}

/** Normalises the text objects of a value the way Slack does (`emoji`, `verbatim`), deeply. */
export function normalizeText<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => normalizeText(v)) as T;
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = normalizeText(v);
  if (out.type === 'plain_text' && typeof out.text === 'string' && out.emoji === undefined) out.emoji = true;
  if (out.type === 'mrkdwn' && typeof out.text === 'string' && out.verbatim === undefined) out.verbatim = false;
  return out as T;
}

/** Reads one text object, for titles and labels outside blocks. */
export function readPlainText(value: unknown): PlainText | undefined {
  const result = plainText.safeParse(value);
  return result.success ? result.data : undefined;
}

function normalizeBlock(entry: unknown, seed: string): Record<string, unknown> {
  if (!isRecord(entry)) return { type: 'unknown', block_id: generatedId(seed) };
  const { type, block_id: given, ...rest } = normalizeText(entry);
  const out: Record<string, unknown> = {
    type,
    block_id: typeof given === 'string' ? given : generatedId(seed),
    ...rest,
  };
  if (isRecord(out.accessory)) out.accessory = withActionId(out.accessory, `${seed}/a`);
  if (isRecord(out.element)) out.element = withActionId(out.element, `${seed}/e`);
  if (type === 'actions' && Array.isArray(out.elements)) {
    out.elements = out.elements.map((e: unknown, i) => (isRecord(e) ? withActionId(e, `${seed}/${i}`) : e));
  }
  return out;
}

function withActionId(element: Record<string, unknown>, seed: string): Record<string, unknown> {
  if (!INTERACTIVE.has(String(element.type)) || typeof element.action_id === 'string') return element;
  const { type, ...rest } = element;
  return { type, action_id: generatedId(seed), ...rest };
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** A short id like the ones Slack generates (`Xk3aQ`), but derived from `seed` so it stays stable. */
export function generatedId(seed: string): string {
  // FNV-1a, 32 bits: stable across processes, no crypto needed in the browser bundle.
  let hash = 0x811c9dc5;
  for (let i = 0; i < seed.length; i += 1) {
    hash ^= seed.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  let id = '';
  for (let i = 0; i < 5; i += 1) {
    id += BASE62[hash % 62];
    hash = Math.floor(hash / 62) + (i + 1) * 7919;
  }
  return id;
}

/** Whether a value is a plain JSON object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every option of a select, its groups' options included. */
export function optionsOf(element: {
  options?: OptionObject[];
  option_groups?: { options: OptionObject[] }[];
}): OptionObject[] {
  return [...(element.options ?? []), ...(element.option_groups ?? []).flatMap((g) => g.options)];
}
