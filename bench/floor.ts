/**
 * The floor under the Slack acknowledgement: what any answer to Slack must do at least, served the
 * same way the ingress is (node http, `POST /slack/events`, body read whole) — check the signature,
 * make one conditional DynamoDB write to the same embedded DynamoDB, answer 200. The ingress's
 * latency divided by this one is what the product adds on top of the unavoidable.
 *
 * With `calls` 2 or 3, the floor of a request kind's own DynamoDB calls in series: a read before the
 * conditional write (submit's open-request count, a decision's read of the request), and a write after
 * it (a decision's audit item beside its signal). The ingress's latency divided by the floor of its own
 * calls is what Bolt, parsing, authorization and rendering add to the calls the invariants require.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { SLACK_EVENTS_PATH } from '../lambdas/handlers/slack-ingress';
import { verifySlackRequest } from '../lambdas/slack/verify';
import { localDynamoClient } from '../local/dynamodb';

/** A running floor endpoint. */
export interface FloorEndpoint {
  /** `http://127.0.0.1:<port>/slack/events`. */
  readonly url: string;
  close(): Promise<void>;
}

/** Starts the floor endpoint against the DynamoDB API at `dynamoEndpoint`. */
export async function startFloor(options: {
  dynamoEndpoint: string;
  tableName: string;
  signingSecret: string;
  /** DynamoDB calls in series: 1 (the conditional write), 2 (a read, then it), 3 (then another write). @default 1 */
  calls?: 1 | 2 | 3;
}): Promise<FloorEndpoint> {
  const calls = options.calls ?? 1;
  const client = localDynamoClient(options.dynamoEndpoint);
  const doc = DynamoDBDocumentClient.from(client);
  let written = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== SLACK_EVENTS_PATH)
          return void res.writeHead(404).end();
        const body = Buffer.concat(chunks).toString('utf8');
        const failure = verifySlackRequest({
          signingSecret: options.signingSecret,
          rawBody: body,
          timestamp: String(req.headers['x-slack-request-timestamp'] ?? ''),
          signature: String(req.headers['x-slack-signature'] ?? ''),
          nowSeconds: Math.floor(Date.now() / 1000),
        });
        if (failure) return void res.writeHead(401).end();
        written += 1;
        const pk = `FLOOR#${calls}#${process.pid}#${written}`;
        if (calls >= 2) await doc.send(new GetCommand({ TableName: options.tableName, Key: { pk, sk: 'FLOOR' } }));
        await doc.send(
          new PutCommand({
            TableName: options.tableName,
            Item: { pk, sk: 'FLOOR', body: body.length },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        if (calls === 3)
          await doc.send(
            new PutCommand({ TableName: options.tableName, Item: { pk, sk: 'FLOOR#AUDIT', at: Date.now() } }),
          );
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('');
      })().catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${SLACK_EVENTS_PATH}`,
    close: () =>
      new Promise<void>((resolve) => {
        client.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
