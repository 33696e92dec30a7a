/** What the listeners work with, built once per app by `createSlackApp`. */
import type { Logger } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { DateTime } from 'luxon';
import type { Config } from '../config/schema';
import type { IngressPorts } from '../lifecycle/ports';
import type { RequestStore } from '../store/requests';
import type { SlackDirectory } from './directory';

/** The listeners' dependencies: the use cases' ports, and what the listeners use themselves to draw and read Slack. */
export interface SlackServices {
  /** What submit and the decisions are run with. */
  readonly ports: IngressPorts;
  readonly config: Config;
  /** Read by `/jit list`. */
  readonly store: RequestStore;
  /** Opens and redraws modals. */
  readonly web: WebClient;
  /** Who is asking: their identity, ONTAP account and groups. */
  readonly directory: SlackDirectory;
  /** The current instant (a fake clock in tests). */
  readonly now: () => DateTime;
  readonly logger: Logger;
}
