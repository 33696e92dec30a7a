import { DenyReasonMetadataSchema, denyReasonModal } from '../../../lambdas/slack/blocks/deny-reason-modal';
import { pendingRequest } from '../../support/requests';

describe('denyReasonModal', () => {
  it('asks for a required, length-limited reason and carries the request and message', () => {
    const request = pendingRequest({ justification: '<!channel> please' });
    const view = denyReasonModal(request, { requestId: request.id, channel: 'C0APPROVALS', ts: '1.000001' });
    expect(view).toMatchObject({ type: 'modal', callback_id: 'jit_deny_reason', submit: { text: 'Deny' } });
    expect(DenyReasonMetadataSchema.parse(JSON.parse(String(view.private_metadata)))).toEqual({
      requestId: request.id,
      channel: 'C0APPROVALS',
      ts: '1.000001',
    });
    expect(view.blocks[1]).toMatchObject({
      type: 'input',
      block_id: 'reason',
      element: { type: 'plain_text_input', action_id: 'reason', multiline: true, max_length: 500 },
    });
    expect(view.blocks[1]).not.toHaveProperty('optional');
    expect(JSON.stringify(view)).toContain('asks for *vsadmin*');
  });
});
