/** What the listeners work with, built once per app by `createSlackApp`. */
import type { Logger } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { DateTime } from 'luxon';
import type { ExportStarter } from '../audit-export/slack-export';
import type { Config } from '../config/schema';
import type { IngressPorts } from '../lifecycle/ports';
import type { ExportClaims } from '../store/export-claims';
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
  /** Where `/jit audit` claims a command and starts its export; absent where exports are not set up. */
  readonly auditExports?: AuditExports;
}

/** What `/jit audit` needs: the commands' claims, and how an export is started after the answer. */
export interface AuditExports {
  readonly claims: Pick<ExportClaims, 'claim' | 'move'>;
  readonly starter: ExportStarter;
}
