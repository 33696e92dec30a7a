/** Events API listeners. */
import type { App } from '@slack/bolt';
import type { SlackServices } from '../../services';
import { homeOpened } from './home-opened';

/** Registers the events the app subscribes to (slack/manifest.yaml `bot_events`). */
export function register(app: App, services: SlackServices): void {
  app.event('app_home_opened', homeOpened(services));
}
