/** The queries the store makes of its indexes, written once for every part of the store that reads them. */
import { pendingPk, TABLE } from './table';

/** A key-condition query of one index, its names and values ready to be added to. */
export interface IndexQuery {
  readonly IndexName: string;
  readonly KeyConditionExpression: string;
  readonly ExpressionAttributeNames: Record<string, string>;
  readonly ExpressionAttributeValues: Record<string, unknown>;
}

/** An index whose sort key starts with an ISO time. */
interface TimedIndex {
  readonly indexName: string;
  readonly partitionKey: string;
  readonly sortKey: string;
}

/** The requests someone made (the by-requester index), oldest first unless the caller says otherwise. */
export function byRequester(slackUserId: string): IndexQuery {
  return {
    IndexName: TABLE.byRequester.indexName,
    KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: { '#pk': TABLE.byRequester.partitionKey },
    ExpressionAttributeValues: { ':pk': `USER#${slackUserId}` },
  };
}

/** A policy's requests waiting for approval (the keys-only pending-by-policy index), oldest first. */
export function pendingUnder(policy: string): IndexQuery {
  return {
    IndexName: TABLE.pendingByPolicy.indexName,
    KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: { '#pk': TABLE.pendingByPolicy.partitionKey },
    ExpressionAttributeValues: { ':pk': pendingPk(policy) },
  };
}

/** The items of one partition of a timed index that are due at or before `before` (ISO), soonest first. */
export function dueBefore(index: TimedIndex, partition: string, before: string): IndexQuery {
  return {
    IndexName: index.indexName,
    KeyConditionExpression: '#pk = :pk AND #sk < :before',
    ExpressionAttributeNames: { '#pk': index.partitionKey, '#sk': index.sortKey },
    // Sort keys are `<ISO>#<item>`: '~' sorts after '#', so every item due at `before` itself is in.
    ExpressionAttributeValues: { ':pk': partition, ':before': `${before}~` },
  };
}
