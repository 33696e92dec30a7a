/**
 * One item per audit export asked for in Slack, keyed on the command's delivery: the Slack endpoint
 * claims it before answering (a retried delivery finds it taken and says so), and the export job moves
 * it on once (a job delivered twice finds it moved and does nothing). Kept a day, then removed by TTL.
 *
 *   export claim  pk EXPORT#<delivery key>   sk EXPORT   state claimed | started | delivered | failed
 */
import type { StoreContext } from './context';
import { conditionalWrite } from './context';

/** Sort key of an export claim. */
export const EXPORT_SK = 'EXPORT';
/** Partition key of an export claim. */
export const exportPk = (key: string): string => `EXPORT#${key}`;

/** Where an export asked for in Slack stands. */
export type ExportState = 'claimed' | 'started' | 'delivered' | 'failed';

const DAY_SECONDS = 86_400;

/** The export claims of the requests table. */
export class ExportClaims {
  constructor(private readonly ctx: StoreContext) {}

  /** Claims the export of one command delivery; false when that delivery was claimed before. */
  claim(key: string, at: string): Promise<boolean> {
    return conditionalWrite(this.ctx, {
      put: {
        pk: exportPk(key),
        sk: EXPORT_SK,
        state: 'claimed',
        at,
        expiresAt: Math.floor(Date.parse(at) / 1000) + DAY_SECONDS,
      },
      condition: 'attribute_not_exists(pk)',
    });
  }

  /** Moves a claim from one state to the next; false when it is not in `from` (another run moved it). */
  move(key: string, from: ExportState, to: ExportState): Promise<boolean> {
    return conditionalWrite(this.ctx, {
      key: { pk: exportPk(key), sk: EXPORT_SK },
      update: 'SET #state = :to',
      condition: '#state = :from',
      names: { '#state': 'state' },
      values: { ':from': from, ':to': to },
    });
  }
}
