/**
 * `npm start` runs the reconciler on its own scaled clock, as AWS runs it on a schedule: passes
 * happen without anyone calling them, each publishing its heartbeat.
 */
import { startLocalStack } from '../../local/stack';

describe('the local stack', () => {
  it('runs reconciler passes by itself on the scaled clock', async () => {
    let heartbeats = 0;
    let seen: () => void = () => undefined;
    const twoPasses = new Promise<void>((resolve) => {
      seen = resolve;
    });
    const stack = await startLocalStack({
      port: 0,
      speed: 3600,
      env: { JIT_CONFIG: 'config/example.yaml' },
      log: (line) => {
        if (line.includes('"ReconcilerPasses":1') && ++heartbeats === 2) seen();
      },
    });
    try {
      await twoPasses;
      expect(heartbeats).toBeGreaterThanOrEqual(2);
    } finally {
      await stack.close();
    }
  });
});
