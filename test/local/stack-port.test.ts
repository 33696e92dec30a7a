/**
 * `--port 0` asks for any free port: the printed URLs and the sandbox's own calls to the Slack endpoint use
 * the port the app really listens on, so a click in the sandbox reaches the app.
 */
import type { Snapshot } from '../../local/sandbox/protocol';
import { type LocalStack, startLocalStack } from '../../local/stack';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({ port: 0, speed: 60, reconciler: false, env: { JIT_CONFIG: 'config/example.yaml' } });
});
afterAll(async () => {
  await stack?.close();
});

describe('the local stack on any free port', () => {
  it('prints the port it listens on, and the sandbox reaches the Slack endpoint there', async () => {
    const sandbox = stack.urls.sandbox ?? '';
    expect(stack.urls.app).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/);
    expect(sandbox).toBe(`${stack.urls.app}/sandbox/`);
    expect(stack.urls.slackEvents).toBe(`${stack.urls.app}/slack/events`);
    expect((await fetch(`${stack.urls.app}/healthz`)).status).toBe(200);

    const sent = await fetch(`${sandbox}api/command`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'U0ALICE', channel: 'C0APPROVALS', line: '/jit help' }),
    });
    expect(sent.status).toBe(200);
    const until = Date.now() + 20_000;
    let texts = '';
    while (Date.now() < until) {
      const state = (await (await fetch(`${sandbox}api/state?user=U0ALICE`)).json()) as Snapshot;
      texts = state.messages.map((m) => m.text ?? '').join('\n');
      if (texts.includes('this help')) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(texts).toContain('this help.');
  });
});
