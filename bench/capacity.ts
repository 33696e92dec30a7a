/**
 * DynamoDB request units as on-demand billing counts them, from the items a local run really reads
 * and writes (the embedded DynamoDB reports no capacity for index writes, so it is worked out here):
 * a write costs 1 WRU per started KB of the larger of the old and new item, again for every global
 * secondary index the write touches (twice when it moves an item between index keys); a read costs
 * 1 RRU per started 4 KB (half when eventually consistent), a query per started 4 KB of all it returns.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
 */
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { INDEXES, projectionOf, TABLE } from '../lambdas/store/table';
import { invocationContext } from '../local/stepfunctions/counters';

/** An item on the wire (attribute values) or as the document client hands it over (plain values). */
type Item = Record<string, unknown>;

/** Request units spent. */
export interface RequestUnits {
  rru: number;
  wru: number;
}

/** An item's size as DynamoDB counts it: attribute names plus values (UTF-8 bytes, numbers by digits). */
export function itemSize(item: Item): number {
  const wire = typeof item[TABLE.partitionKey] === 'object';
  let size = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    size += Buffer.byteLength(name, 'utf8') + (wire ? valueSize(value as AttributeValue) : plainSize(value));
  }
  return size;
}

/** The size of a value the document client unmarshalled (as it would be marshalled again). */
function plainSize(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number') return numberSize(String(value));
  if (typeof value === 'boolean' || value === null) return 1;
  if (Array.isArray(value)) return 3 + value.reduce((n: number, v: unknown) => n + 1 + plainSize(v), 0);
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return 3 + entries.length + entries.reduce((n, [k, v]) => n + Buffer.byteLength(k, 'utf8') + plainSize(v), 0);
  }
  return 0;
}

function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S, 'utf8');
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((n, s) => n + Buffer.byteLength(s, 'utf8'), 0);
  if (value.NS !== undefined) return value.NS.reduce((n, s) => n + numberSize(s), 0);
  if (value.L !== undefined) return 3 + value.L.reduce((n, v) => n + 1 + valueSize(v), 0);
  if (value.M !== undefined) {
    const names = Object.keys(value.M);
    return (
      3 +
      names.length +
      names.reduce((n, k) => n + Buffer.byteLength(k, 'utf8') + valueSize(value.M?.[k] ?? { NULL: true }), 0)
    );
  }
  return 0;
}

/** A number's size: a byte per two significant digits, one more, and one for the sign (dynalite's reading of the rule). */
function numberSize(text: string): number {
  const negative = text.startsWith('-');
  const [mantissa = '0', exponent = '0'] = text.replace(/^[-+]/, '').toLowerCase().split('e');
  const [whole = '', fraction = ''] = mantissa.split('.');
  const digits = whole + fraction;
  const first = digits.search(/[1-9]/);
  if (first < 0) return 1;
  const significant = digits.slice(first).replace(/0+$/, '').length;
  const e = whole.length - 1 - first + Number(exponent);
  return 1 + Math.ceil(significant / 2) + (significant % 2 !== 0 || e % 2 !== 0 ? 0 : 1) + (negative ? 1 : 0);
}

const indexKeys = INDEXES.map((index) => [index.partitionKey, index.sortKey] as const);
/** Indexes holding keys only: written when an item enters, leaves or moves, 1 WRU an entry (keys are small). */
const keysOnly = INDEXES.map((index) => projectionOf(index) === 'KEYS_ONLY');

/** The index keys an item has, one string per index ('' when the item is not in it). */
function indexEntries(item: Item | undefined): string[] {
  return indexKeys.map(([pk, sk]) => {
    const p = stringOf(item?.[pk]);
    const s = stringOf(item?.[sk]);
    return p !== undefined && s !== undefined ? `${p}\u0000${s}` : '';
  });
}

/** A string attribute in either form. */
function stringOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && 'S' in value && typeof value.S === 'string') return value.S;
  return undefined;
}

function writeUnits(previous: Item | undefined, next: Item | undefined): number {
  const units = (item: Item | undefined): number => (item ? Math.max(1, Math.ceil(itemSize(item) / 1024)) : 0);
  let wru = Math.max(1, units(previous), units(next));
  const before = indexEntries(previous);
  const after = indexEntries(next);
  before.forEach((old, i) => {
    const now = after[i] ?? '';
    if (old === '' && now === '') return;
    if (keysOnly[i]) {
      if (old !== now) wru += old !== '' && now !== '' ? 2 : 1;
      return;
    }
    if (old !== '' && now !== '' && old !== now) wru += units(previous) + units(next);
    else if (now !== '') wru += units(next);
    else wru += units(previous);
  });
  return wru;
}

function readUnits(bytes: number, consistent: boolean): number {
  const units = Math.max(1, Math.ceil(bytes / 4096));
  return consistent ? units : units / 2;
}

/** Counts request units for every call `client` sends from now on, by operation; `stop` removes the counter. */
export class CapacityMeter {
  readonly total: RequestUnits = { rru: 0, wru: 0 };
  readonly byOperation: Record<string, RequestUnits> = {};
  /** Units spent by each execution's task functions (the rest was spent outside them: the Slack ingress). */
  readonly byExecution = new Map<string, RequestUnits>();
  /** The last known version of every item written or read, for the old size and index keys of the next write. */
  private readonly items = new Map<string, Item>();
  private readonly name = `bench-capacity-${Math.random().toString(36).slice(2)}`;

  constructor(private readonly client: DynamoDBClient) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = String(context.commandName ?? 'Unknown').replace(/Command$/, '');
        const input = args.input as Record<string, unknown>;
        const output = await next(args).catch((error: unknown) => {
          // A failed conditional write still costs its write.
          if (error instanceof Error && error.name === 'ConditionalCheckFailedException')
            this.write(operation, input, true);
          throw error;
        });
        this.account(operation, input, output.output as unknown as Record<string, unknown>);
        return output;
      },
      // Inputs arrive marshalled (lib-dynamodb marshals at serialize); outputs of the document client come back plain.
      { step: 'build', name: this.name },
    );
  }

  /** Stops counting. */
  stop(): void {
    this.client.middlewareStack.remove(this.name);
  }

  /** A copy of the counts so far (subtract two to get what happened between them). */
  snapshot(): RequestUnits {
    return { ...this.total };
  }

  private add(operation: string, units: RequestUnits): void {
    const execution = invocationContext.getStore()?.executionArn;
    let mine: RequestUnits | undefined;
    if (execution !== undefined) {
      mine = this.byExecution.get(execution) ?? { rru: 0, wru: 0 };
      this.byExecution.set(execution, mine);
    }
    const forOperation = this.byOperation[operation] ?? { rru: 0, wru: 0 };
    this.byOperation[operation] = forOperation;
    for (const target of [this.total, forOperation, ...(mine ? [mine] : [])]) {
      target.rru += units.rru;
      target.wru += units.wru;
    }
  }

  private keyOf(item: Item | undefined): string | undefined {
    const pk = stringOf(item?.[TABLE.partitionKey]);
    const sk = stringOf(item?.[TABLE.sortKey]);
    return pk === undefined || sk === undefined ? undefined : `${pk}\u0000${sk}`;
  }

  private write(operation: string, input: Record<string, unknown>, failed: boolean): void {
    const next = operation === 'PutItem' ? (input.Item as Item | undefined) : undefined;
    const key = this.keyOf((input.Item ?? input.Key) as Item | undefined);
    const previous = key ? this.items.get(key) : undefined;
    if (failed) {
      this.add(operation, { rru: 0, wru: Math.max(1, Math.ceil(itemSize(next ?? previous ?? {}) / 1024)) });
      return;
    }
    this.add(operation, { rru: 0, wru: writeUnits(previous, next) });
    if (key) {
      if (next) this.items.set(key, next);
      else this.items.delete(key);
    }
  }

  private account(operation: string, input: Record<string, unknown>, output: Record<string, unknown>): void {
    switch (operation) {
      case 'PutItem':
      case 'DeleteItem':
        this.write(operation, input, false);
        return;
      case 'GetItem': {
        const item = output.Item as Item | undefined;
        const key = this.keyOf(item);
        if (key && item) this.items.set(key, item);
        this.add(operation, { rru: readUnits(item ? itemSize(item) : 0, input.ConsistentRead === true), wru: 0 });
        return;
      }
      case 'Query':
      case 'Scan': {
        const items = (output.Items as Item[] | undefined) ?? [];
        const bytes = items.reduce((n, item) => n + itemSize(item), 0);
        this.add(operation, { rru: readUnits(bytes, input.ConsistentRead === true), wru: 0 });
        return;
      }
      default:
        return;
    }
  }
}
