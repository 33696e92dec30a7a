/**
 * Which failed writes may have landed (`writeOutcomeUnknown`), told from the errors the AWS SDK really
 * throws: dynalite behind the DynamoDB fault proxy, a refused condition, a throttle, a server error, and
 * an answer lost after the write was made. Only what DynamoDB refused is known to have changed nothing.
 */
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { writeOutcomeUnknown } from '../../lambdas/store/context';
import { localDynamoClient } from '../../local/dynamodb';
import { type DynamoFault, type DynamoFaultProxy, startDynamoFaultProxy } from '../../local/dynamodb-fault-proxy';
import { useDynamo } from '../support/dynamo';

const dynamo = useDynamo();
let proxy: DynamoFaultProxy;

beforeAll(async () => {
  proxy = await startDynamoFaultProxy(dynamo().dynamo.endpoint);
});
afterAll(async () => {
  await proxy.close();
});

let n = 0;
/** What one conditional PutItem through the proxy throws (undefined when it succeeded), `fault` on every try. */
async function failureOf(fault: DynamoFault | undefined, options: { existing?: boolean } = {}): Promise<unknown> {
  n += 1;
  const Item = { pk: { S: `OUTCOME#${n}` }, sk: { S: 'X' } };
  const TableName = dynamo().dynamo.tableName;
  if (options.existing) await dynamo().dynamo.client.send(new PutItemCommand({ TableName, Item }));
  proxy.chooser = (operation) => (operation === 'PutItem' ? fault : undefined);
  const client = localDynamoClient(proxy.url);
  try {
    await client.send(new PutItemCommand({ TableName, Item, ConditionExpression: 'attribute_not_exists(pk)' }));
    return undefined;
  } catch (error) {
    return error;
  } finally {
    proxy.chooser = undefined;
    client.destroy();
  }
}

describe('a failed write whose outcome is unknown', () => {
  it('an answer lost after the write was made, on every try: unknown', async () => {
    const error = await failureOf('lost-write-answer');
    expect(error).toBeInstanceOf(Error);
    expect(writeOutcomeUnknown(error)).toBe(true);
  });

  it('a server error (5xx): unknown', async () => {
    expect(writeOutcomeUnknown(await failureOf('server-error'))).toBe(true);
  });

  it('a throttle: refused, nothing changed', async () => {
    const error = await failureOf('throttle');
    expect((error as Error).name).toBe('ThrottlingException');
    expect(writeOutcomeUnknown(error)).toBe(false);
  });

  it('a condition that did not hold: refused, nothing changed', async () => {
    const error = await failureOf(undefined, { existing: true });
    expect((error as Error).name).toBe('ConditionalCheckFailedException');
    expect(writeOutcomeUnknown(error)).toBe(false);
  });

  it('errors that never reached DynamoDB (the store’s own checks) are not unknown', () => {
    expect(writeOutcomeUnknown(new Error('request fails its schema'))).toBe(false);
    expect(writeOutcomeUnknown('not an error')).toBe(false);
  });
});
