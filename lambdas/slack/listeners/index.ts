/** Every listener of the app, one folder per Slack surface. */
import type { App } from '@slack/bolt';
import type { SlackServices } from '../services';
import * as actions from './actions';
import * as commands from './commands';
import * as events from './events';
import * as extend from './extend';
import * as review from './review';
import * as views from './views';

/** Registers commands, views, actions and events on the app. */
export function registerListeners(app: App, services: SlackServices): void {
  commands.register(app, services);
  views.register(app, services);
  actions.register(app, services);
  events.register(app, services);
  extend.register(app, services);
  review.register(app, services);
}
