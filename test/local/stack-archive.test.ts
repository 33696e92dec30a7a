/**
 * `npm start` archives: every audit item the store inserts reaches the local S3 API server through the
 * change feed and the archive writer, and the sandbox's archive panel shows the request's objects.
 */
import { parseArchiveBody } from '../../lambdas/archive/layout';
import { startLocalStack } from '../../local/stack';
import { pendingRequest } from '../support/requests';

describe('the local stack', () => {
  it('archives a request’s audit events in the local S3 and shows them in the sandbox', async () => {
    const stack = await startLocalStack({
      port: 0,
      speed: 3600,
      reconciler: false,
      env: { JIT_CONFIG: 'config/example.yaml' },
    });
    try {
      expect(stack.urls.s3).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(stack.urls.archiveBucket).toBe('ontap-jit-audit-archive');
      const request = pendingRequest({ createdAt: `${new Date().toISOString().slice(0, 19)}Z` });
      await stack.store.create(request, request.requester.slackUserId);
      await stack.archive.feed.drain();
      const objects = await stack.archive.objects(request.id);
      expect(objects.map((o) => parseArchiveBody(o.body))).toEqual(await stack.store.auditTrail(request.id));

      // The panel is found by its title, as the page finds it (api/state lists the panels in order).
      const state = (await (await fetch(`${stack.urls.sandbox}api/state`)).json()) as {
        panels: { index: number; title: string }[];
      };
      const index = state.panels.find((p) => p.title === 'Audit archive, S3 (selected message)')?.index;
      const panel = (await (await fetch(`${stack.urls.sandbox}api/panels/${index}`)).json()) as {
        title: string;
        rows: string[][];
        columns: string[];
      };
      expect(panel.title).toBe('Audit archive, S3 (selected message)');
      expect(panel.columns).toEqual(['key', 'body']);
      expect(panel.rows.map((r) => r[0])).toEqual(objects.map((o) => o.key));
    } finally {
      await stack.close();
    }
  });
});
