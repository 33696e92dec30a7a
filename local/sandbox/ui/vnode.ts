/**
 * A tiny virtual DOM: the page's views are pure functions from data to these nodes, so they can be
 * tested without a browser, and the one function that turns them into DOM (`page/dom.ts`) only ever
 * creates text nodes for text: nothing the app or a person typed is ever parsed as HTML.
 */

/** An event listener attached to a node; the page passes DOM events, tests pass anything. */
export type Listener = (event: never) => void;

/** An attribute value: text, a flag (present when true), or a listener for `on*` names. */
export type AttrValue = string | number | boolean | undefined | null | Listener;

/** One element: its tag, attributes (listeners included) and children; strings are text nodes. */
export interface VNode {
  readonly tag: string;
  readonly attrs: Readonly<Record<string, AttrValue>>;
  readonly children: readonly Child[];
}

/** A child of a node: an element or text. */
export type Child = VNode | string;

/** What `h` accepts as children: nested lists are flattened, empty values dropped. */
export type ChildInput = Child | null | undefined | false | readonly ChildInput[];

/** Builds a node: `h('button', { class: 'primary', onclick }, 'Approve')`. */
export function h(tag: string, attrs: Record<string, AttrValue> | null = null, ...children: ChildInput[]): VNode {
  return { tag, attrs: attrs ?? {}, children: flatten(children) };
}

function flatten(children: readonly ChildInput[]): Child[] {
  const out: Child[] = [];
  for (const child of children) {
    if (child === null || child === undefined || child === false || child === '') continue;
    if (isInputList(child)) out.push(...flatten(child));
    else out.push(child);
  }
  return out;
}

/** The text a node shows, as `textContent` would read it. */
export function textOf(node: Child | readonly Child[]): string {
  if (typeof node === 'string') return node;
  if (isNodeList(node)) return node.map(textOf).join('');
  return node.children.map(textOf).join('');
}

function isNodeList(node: Child | readonly Child[]): node is readonly Child[] {
  return Array.isArray(node);
}

function isInputList(input: Child | readonly ChildInput[]): input is readonly ChildInput[] {
  return Array.isArray(input);
}

/** Every node in a tree (depth first), for tests and lookups. */
export function allNodes(node: Child | readonly Child[]): VNode[] {
  if (typeof node === 'string') return [];
  if (isNodeList(node)) return node.flatMap(allNodes);
  return [node, ...node.children.flatMap(allNodes)];
}

/** URL schemes a link or an image may use; anything else (javascript:, data:) is shown as text. */
export function isSafeUrl(url: string): boolean {
  return /^(https?:\/\/|mailto:)/i.test(url.trim());
}
