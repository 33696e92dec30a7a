/**
 * Block Kit drawn as virtual nodes: the layout blocks and elements the app uses, text objects and
 * mrkdwn. Controls carry `data-block-id`, `data-action-id` and `data-type` so the page can read what
 * was entered, and call `onAction` when Slack would send a `block_actions` payload.
 */
import type { ActionElement, Block, BlockElement, OptionObject, TextObject } from '../block-kit';
import { replaceEmoji } from './emoji';
import { type MrkdwnNode, type NameResolver, parseMrkdwn } from './mrkdwn';
import { type Child, h, type VNode } from './vnode';

/** An element that was clicked or changed, as the page reports it. */
export interface ActionRef {
  readonly blockId: string;
  readonly element: ActionElement;
}

/** How one surface (a message, a modal) is drawn. */
export interface BlockContext {
  readonly names: NameResolver;
  /** Makes element ids unique on the page, e.g. the message ts or the view id. */
  readonly surface: string;
  /** Error messages under input blocks, by block id. */
  readonly errors?: Readonly<Record<string, string>>;
  /** People for `users_select`. */
  readonly users?: readonly { readonly id: string; readonly name: string }[];
  /** Called when Slack would send `block_actions`. */
  readonly onAction?: (ref: ActionRef) => void;
}

/** Draws mrkdwn nodes. */
export function renderMrkdwnNodes(nodes: readonly MrkdwnNode[]): Child[] {
  // biome-ignore lint/suspicious/useIterableCallbackReturn: the switch covers every node type; TypeScript checks it.
  return nodes.map((node): Child => {
    switch (node.type) {
      case 'text':
        return node.text;
      case 'bold':
        return h('strong', null, renderMrkdwnNodes(node.children));
      case 'italic':
        return h('em', null, renderMrkdwnNodes(node.children));
      case 'strike':
        return h('s', null, renderMrkdwnNodes(node.children));
      case 'quote':
        return h('blockquote', null, renderMrkdwnNodes(node.children));
      case 'code':
        return h('code', null, node.text);
      case 'pre':
        return h('pre', null, node.text);
      case 'link':
        return h('a', { href: node.url, target: '_blank', rel: 'noopener noreferrer' }, node.text);
      case 'user':
      case 'channel':
      case 'usergroup':
        return h('span', { class: 'mention' }, node.label);
      case 'broadcast':
        return h('span', { class: 'mention mention-broadcast' }, node.label);
      case 'break':
        return h('br');
    }
  });
}

/** Draws mrkdwn text. */
export function renderMrkdwn(text: string, names: NameResolver): Child[] {
  return renderMrkdwnNodes(parseMrkdwn(text, names));
}

/** Draws a text object: mrkdwn is formatted, plain_text is shown as typed (emoji shortcodes aside). */
export function renderText(text: TextObject | undefined, names: NameResolver): Child[] {
  if (!text) return [];
  if (text.type === 'mrkdwn') return renderMrkdwn(text.text, names);
  return [text.emoji === false ? text.text : replaceEmoji(text.text)];
}

const plain = (text: TextObject | undefined): string =>
  text ? (text.type === 'plain_text' && text.emoji === false ? text.text : replaceEmoji(text.text)) : '';

/** Draws a surface's blocks. */
export function renderBlocks(blocks: readonly Block[], ctx: BlockContext): VNode[] {
  return blocks.map((block) => renderBlock(block, ctx));
}

function renderBlock(block: Block, ctx: BlockContext): VNode {
  const attrs = { 'data-block': block.block_id };
  switch (block.type) {
    case 'section':
      return h(
        'div',
        { ...attrs, class: 'bk-section' },
        h(
          'div',
          { class: 'bk-section-body' },
          block.text ? h('div', { class: 'bk-text' }, renderText(block.text, ctx.names)) : null,
          block.fields?.length
            ? h(
                'div',
                { class: 'bk-fields' },
                block.fields.map((f) => h('div', { class: 'bk-field' }, renderText(f, ctx.names))),
              )
            : null,
        ),
        block.accessory
          ? h('div', { class: 'bk-accessory' }, renderElement(block.accessory, block.block_id, ctx, { dispatch: true }))
          : null,
      );
    case 'header':
      return h('h3', { ...attrs, class: 'bk-header' }, plain(block.text));
    case 'divider':
      return h('hr', { ...attrs, class: 'bk-divider' });
    case 'context':
      return h(
        'div',
        { ...attrs, class: 'bk-context' },
        block.elements.map((e) =>
          e.type === 'image'
            ? h('span', { class: 'bk-image-alt', title: e.alt_text }, `🖼 ${e.alt_text}`)
            : h('span', { class: 'bk-context-text' }, renderText(e, ctx.names)),
        ),
      );
    case 'actions':
      return h(
        'div',
        { ...attrs, class: 'bk-actions', role: 'group' },
        block.elements.map((e) => renderElement(e, block.block_id, ctx, { dispatch: true })),
      );
    case 'input':
      return renderInput(block, ctx);
    case 'image':
      return h(
        'figure',
        { ...attrs, class: 'bk-image' },
        h('span', { class: 'bk-image-alt' }, `🖼 ${block.alt_text}`),
        block.title ? h('figcaption', null, plain(block.title)) : null,
      );
    case 'unsupported':
      return h(
        'div',
        { ...attrs, class: 'bk-unsupported' },
        `Unsupported block "${block.originalType}": ${block.problem}`,
      );
  }
}

function renderInput(block: Extract<Block, { type: 'input' }>, ctx: BlockContext): VNode {
  const element = block.element;
  const control =
    element.type === 'unsupported' || element.type === 'image'
      ? `${ctx.surface}-${block.block_id}`
      : controlId(ctx, block.block_id, element.action_id);
  const error = ctx.errors?.[block.block_id];
  const hintId = `${control}-hint`;
  const errorId = `${control}-error`;
  const group = element.type === 'radio_buttons' || element.type === 'checkboxes';
  const describedBy = [block.hint ? hintId : '', error ? errorId : ''].filter(Boolean).join(' ') || undefined;
  return h(
    'div',
    { 'data-block': block.block_id, class: error ? 'bk-input bk-input-error' : 'bk-input' },
    h(
      group ? 'span' : 'label',
      group
        ? { class: 'bk-label', id: `${control}-label` }
        : { class: 'bk-label', for: control, id: `${control}-label` },
      plain(block.label),
      block.optional ? h('span', { class: 'bk-optional' }, ' (optional)') : null,
    ),
    renderElement(element, block.block_id, ctx, {
      dispatch: block.dispatch_action === true,
      describedBy,
      invalid: error !== undefined,
      labelled: `${control}-label`,
    }),
    block.hint ? h('div', { class: 'bk-hint', id: hintId }, plain(block.hint)) : null,
    error ? h('div', { class: 'bk-error', id: errorId, role: 'alert' }, error) : null,
  );
}

interface ElementOptions {
  /** Whether a change sends `block_actions` (actions blocks, accessories, inputs with dispatch_action). */
  readonly dispatch: boolean;
  readonly describedBy?: string;
  readonly invalid?: boolean;
  readonly labelled?: string;
}

function controlId(ctx: BlockContext, blockId: string, actionId: string): string {
  return `${ctx.surface}__${blockId}__${actionId}`.replace(/[^A-Za-z0-9_-]/g, '_');
}

function renderElement(element: BlockElement, blockId: string, ctx: BlockContext, opts: ElementOptions): VNode {
  if (element.type === 'unsupported')
    return h('span', { class: 'bk-unsupported' }, `Unsupported element "${element.originalType}"`);
  if (element.type === 'image')
    return h('span', { class: 'bk-image-alt', title: element.alt_text }, `🖼 ${element.alt_text}`);
  const id = controlId(ctx, blockId, element.action_id);
  const data = { 'data-block-id': blockId, 'data-action-id': element.action_id, 'data-type': element.type };
  const fire = (): void => ctx.onAction?.({ blockId, element });
  const onchange = opts.dispatch ? fire : undefined;
  const aria = { 'aria-describedby': opts.describedBy, 'aria-invalid': opts.invalid ? 'true' : undefined };
  switch (element.type) {
    case 'button':
      return h(
        'button',
        {
          ...data,
          id,
          type: 'button',
          class: `bk-button${element.style ? ` bk-button-${element.style}` : ''}`,
          'aria-label': element.accessibility_label,
          onclick: fire,
        },
        plain(element.text),
        element.url ? h('span', { class: 'bk-external', 'aria-hidden': 'true' }, ' ↗') : null,
      );
    case 'static_select':
    case 'multi_static_select':
      return h(
        'select',
        { ...data, ...aria, id, class: 'bk-select', multiple: element.type === 'multi_static_select', onchange },
        element.type === 'static_select'
          ? h('option', { value: '' }, plain(element.placeholder) || 'Select an option')
          : null,
        selectOptions(
          element,
          element.type === 'static_select' ? [element.initial_option] : (element.initial_options ?? []),
        ),
      );
    case 'users_select':
      return h(
        'select',
        { ...data, ...aria, id, class: 'bk-select', onchange },
        h('option', { value: '' }, plain(element.placeholder) || 'Select a person'),
        (ctx.users ?? []).map((u) =>
          h('option', { value: u.id, selected: u.id === element.initial_user }, `@${u.name}`),
        ),
      );
    case 'overflow':
      return h(
        'select',
        { ...data, id, class: 'bk-select bk-overflow', 'aria-label': 'More actions', onchange: fire },
        h('option', { value: '' }, '⋯'),
        element.options.map((o) => h('option', { value: o.value }, plain(o.text))),
      );
    case 'radio_buttons':
    case 'checkboxes': {
      const radio = element.type === 'radio_buttons';
      const chosen = radio ? [element.initial_option?.value] : (element.initial_options ?? []).map((o) => o.value);
      return h(
        'div',
        {
          ...data,
          ...aria,
          id,
          class: 'bk-choices',
          role: radio ? 'radiogroup' : 'group',
          'aria-labelledby': opts.labelled,
        },
        element.options.map((o, i) =>
          h(
            'label',
            { class: 'bk-choice' },
            h('input', {
              type: radio ? 'radio' : 'checkbox',
              name: id,
              value: o.value,
              id: `${id}-${i}`,
              checked: chosen.includes(o.value),
              onchange,
            }),
            h('span', { class: 'bk-choice-text' }, renderText(o.text, ctx.names)),
            o.description ? h('span', { class: 'bk-choice-description' }, renderText(o.description, ctx.names)) : null,
          ),
        ),
      );
    }
    case 'datepicker':
      return h('input', {
        ...data,
        ...aria,
        id,
        type: 'date',
        class: 'bk-field-input',
        value: element.initial_date,
        onchange,
      });
    case 'timepicker':
      return h('input', {
        ...data,
        ...aria,
        id,
        type: 'time',
        class: 'bk-field-input',
        value: element.initial_time,
        onchange,
      });
    case 'number_input':
      return h('input', {
        ...data,
        ...aria,
        id,
        type: 'number',
        class: 'bk-field-input',
        step: element.is_decimal_allowed ? 'any' : '1',
        min: element.min_value,
        max: element.max_value,
        value: element.initial_value,
        placeholder: plain(element.placeholder) || undefined,
      });
    case 'plain_text_input': {
      const common = {
        ...data,
        ...aria,
        id,
        class: 'bk-field-input',
        placeholder: plain(element.placeholder) || undefined,
        maxlength: element.max_length,
        'data-dispatch': opts.dispatch
          ? (element.dispatch_action_config?.trigger_actions_on ?? ['on_enter_pressed']).join(' ')
          : undefined,
      };
      return element.multiline
        ? h('textarea', { ...common, rows: 4 }, element.initial_value ?? '')
        : h('input', { ...common, type: 'text', value: element.initial_value });
    }
  }
}

function selectOptions(
  element: { options?: OptionObject[]; option_groups?: { label: TextObject; options: OptionObject[] }[] },
  initial: readonly (OptionObject | undefined)[],
): VNode[] {
  const chosen = new Set(initial.filter((o): o is OptionObject => o !== undefined).map((o) => o.value));
  const option = (o: OptionObject): VNode =>
    h('option', { value: o.value, selected: chosen.has(o.value) }, plain(o.text));
  if (element.option_groups?.length)
    return element.option_groups.map((g) => h('optgroup', { label: plain(g.label) }, g.options.map(option)));
  return (element.options ?? []).map(option);
}
