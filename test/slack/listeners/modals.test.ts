/** Reading and checking the text a reason modal is submitted with. */
import { reasonProblem, typedText } from '../../../lambdas/slack/listeners/modals';
import type { ElementState, ViewSubmission } from '../../../lambdas/slack/payloads';

const submitted = (values: Record<string, Record<string, ElementState>>): ViewSubmission => ({
  type: 'view_submission',
  user: { id: 'U0BOB' },
  view: { id: 'V1', callback_id: 'jit_deny_reason', private_metadata: '', state: { values } },
});

describe('typedText', () => {
  it('is the field’s text, trimmed', () => {
    const submission = submitted({ reason: { reason: { type: 'plain_text_input', value: '  freeze\n' } } });
    expect(typedText(submission, 'reason')).toBe('freeze');
  });

  it('is empty for a field left empty, missing, or of another kind', () => {
    expect(typedText(submitted({ reason: { reason: { type: 'plain_text_input', value: null } } }), 'reason')).toBe('');
    expect(typedText(submitted({}), 'reason')).toBe('');
    const select = { type: 'static_select' as const, selected_option: { value: 'x' } };
    expect(typedText(submitted({ reason: { reason: select } }), 'reason')).toBe('');
  });
});

describe('reasonProblem', () => {
  const note = { noun: 'note', min: 3, max: 10, missing: 'Say what is wrong.' };

  it('accepts a text from min to max characters, tabs and newlines included', () => {
    expect(reasonProblem('abc', note)).toBeUndefined();
    expect(reasonProblem('a\tb\nc d e', note)).toBeUndefined();
  });

  it('names what is wrong, in the modal’s words', () => {
    expect(reasonProblem('ab', note)).toBe('Say what is wrong.');
    expect(reasonProblem('a'.repeat(11), note)).toBe('Keep the note to 10 characters.');
    expect(reasonProblem('ab\u0007c', note)).toBe('The note contains control characters.');
    expect(reasonProblem('', { ...note, noun: 'reason', min: 1 })).toBe('Say what is wrong.');
  });
});
