/** Slash command listeners. */
import type { App } from '@slack/bolt';
import { COMMAND } from '../../ids';
import type { SlackServices } from '../../services';
import { jitCommand } from './jit-command';

/** Registers `/jit`. */
export function register(app: App, services: SlackServices): void {
  app.command(COMMAND, jitCommand(services));
}
