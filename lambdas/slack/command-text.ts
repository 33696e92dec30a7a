/** What the text after `/jit` asks for: the form, help, the list, or a one-line request. Pure. */
import type { Draft } from '../domain/request-form';

/** The meaning of a `/jit` invocation's text. */
export type JitCommand =
  | { readonly kind: 'open' }
  | { readonly kind: 'help' }
  | { readonly kind: 'list' }
  | { readonly kind: 'request'; readonly draft: Draft }
  | { readonly kind: 'break-glass' }
  /** An audit export, with the filter text after `audit` (an SVM named `audit` is asked for as `<cluster>/audit`). */
  | { readonly kind: 'audit'; readonly filter: string }
  | { readonly kind: 'unknown' };

const ENTITIES: Readonly<Record<string, string>> = { '&amp;': '&', '&lt;': '<', '&gt;': '>' };

/**
 * Slash-command text as the person typed it. Slack sends `&`, `<` and `>` as `&amp;`, `&lt;` and
 * `&gt;`; decoded in one pass (so a typed `&lt;` stays `&lt;`), and escaped again wherever it is shown.
 */
export function decodeSlackText(text: string): string {
  return text.replace(/&(?:amp|lt|gt);/g, (entity) => ENTITIES[entity] ?? entity);
}

/**
 * Reads `/jit` text as Slack sends it (entities decoded first): nothing (the form), `help`, `list`, `audit …`,
 * or `[<cluster>/]<svm> <role> <duration> <justification…>` (start as soon as approved).
 */
export function parseCommandText(text: string): JitCommand {
  const trimmed = decodeSlackText(text).trim();
  if (trimmed === '') return { kind: 'open' };
  const lower = trimmed.toLowerCase();
  if (lower === 'help' || lower === '?') return { kind: 'help' };
  if (lower === 'list' || lower === 'ls') return { kind: 'list' };
  // Break-glass needs the modal (its reason, and the choice made knowingly), never a one-liner.
  if (/^break-?glass\b/.test(lower)) return { kind: 'break-glass' };
  if (lower === 'audit' || lower.startsWith('audit '))
    return { kind: 'audit', filter: trimmed.slice('audit'.length).trim() };
  const match = /^(\S+)\s+(\S+)\s+(\S+)\s+([\s\S]+)$/.exec(trimmed);
  if (!match) return { kind: 'unknown' };
  const [, target = '', role = '', duration = '', justification = ''] = match;
  const slash = target.indexOf('/');
  const where = slash >= 0 ? { cluster: target.slice(0, slash), svm: target.slice(slash + 1) } : { svm: target };
  return { kind: 'request', draft: { ...where, role, duration, justification, start: { mode: 'now' } } };
}
