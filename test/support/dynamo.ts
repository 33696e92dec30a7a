/** A real DynamoDB API (dynalite over loopback) and a store on it, for tests. */

import { RequestStore } from '../../lambdas/store/requests';
import { type EmbeddedDynamo, startEmbeddedDynamo } from '../../local/dynamodb';

/** Starts dynalite for the test file; `get()` returns the running instance and a store on it. */
export function useDynamo(): () => { dynamo: EmbeddedDynamo; store: RequestStore } {
  let dynamo: EmbeddedDynamo | undefined;
  let store: RequestStore | undefined;
  beforeAll(async () => {
    dynamo = await startEmbeddedDynamo();
    store = new RequestStore({ client: dynamo.client, tableName: dynamo.tableName, retentionSeconds: 400 * 86400 });
  });
  afterAll(async () => {
    await dynamo?.close();
  });
  return () => {
    if (!dynamo || !store) throw new Error('dynalite is not running');
    return { dynamo, store };
  };
}
