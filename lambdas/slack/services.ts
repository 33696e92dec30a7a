/** What the listeners work with, built once per app by `createSlackApp`. */
import type { Logger } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { DateTime } from 'luxon';
import type { Config } from '../config/schema';
import type { Decisions } from '../lifecycle/decide';
import type { Intake } from '../lifecycle/submit';
import type { RequestStore } from '../store/requests';
import type { SlackDirectory } from './directory';

/** The listeners' dependencies. */
export interface SlackServices {
  readonly config: Config;
  readonly store: RequestStore;
  readonly web: WebClient;
  readonly directory: SlackDirectory;
  readonly intake: Intake;
  readonly decisions: Decisions;
  /** The current instant (a fake clock in tests). */
  readonly now: () => DateTime;
  readonly logger: Logger;
}
