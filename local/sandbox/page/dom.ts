/**
 * Turns virtual nodes into DOM. Text is only ever a text node and attributes only ever go through
 * setAttribute: no HTML is parsed, so nothing an app or a person typed can become markup. Links
 * and image sources keep only http(s) and mailto URLs.
 */
import { type Child, isSafeUrl } from '../ui/vnode';

/** Builds the DOM for one node. */
export function materialize(node: Child): Node {
  if (typeof node === 'string') return document.createTextNode(node);
  const element = document.createElement(node.tag);
  for (const [name, value] of Object.entries(node.attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === 'function') {
      element.addEventListener(name.replace(/^on/, ''), value as EventListener);
      continue;
    }
    if ((name === 'href' || name === 'src') && !isSafeUrl(String(value))) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of node.children) element.appendChild(materialize(child));
  return element;
}

/** Replaces a region's content. */
export function mount(region: Element, nodes: Child | readonly Child[]): void {
  const list: readonly Child[] = Array.isArray(nodes) ? nodes : [nodes as Child];
  region.replaceChildren(...list.map(materialize));
}

/** The element with this id (the page's fixed regions). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`The page has no #${id}.`);
  return found as T;
}
