/** What the text after `/jit` asks for: the form, help, the list, or a one-line request. Pure. */
import type { Draft } from './request-form';

/** The meaning of a `/jit` invocation's text. */
export type JitCommand =
  | { readonly kind: 'open' }
  | { readonly kind: 'help' }
  | { readonly kind: 'list' }
  | { readonly kind: 'request'; readonly draft: Draft }
  | { readonly kind: 'unknown' };

/**
 * Reads `/jit` text: nothing (the form), `help`, `list`, or
 * `[<cluster>/]<svm> <role> <duration> <justification…>` (start as soon as approved).
 */
export function parseCommandText(text: string): JitCommand {
  const trimmed = text.trim();
  if (trimmed === '') return { kind: 'open' };
  const lower = trimmed.toLowerCase();
  if (lower === 'help' || lower === '?') return { kind: 'help' };
  if (lower === 'list' || lower === 'ls') return { kind: 'list' };
  const match = /^(\S+)\s+(\S+)\s+(\S+)\s+([\s\S]+)$/.exec(trimmed);
  if (!match) return { kind: 'unknown' };
  const [, target = '', role = '', duration = '', justification = ''] = match;
  const slash = target.indexOf('/');
  const where = slash >= 0 ? { cluster: target.slice(0, slash), svm: target.slice(slash + 1) } : { svm: target };
  return { kind: 'request', draft: { ...where, role, duration, justification, start: { mode: 'now' } } };
}
