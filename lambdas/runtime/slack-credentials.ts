/**
 * The Slack app's credentials: from the environment locally, from the Slack secret (by ARN) in AWS,
 * where the stack puts only the secret's ARN in the environment and grants the function read on it.
 * Values are cached by the SecretReader for its maximum age, read again at once when Slack refused
 * them (`fresh`), and never logged.
 */
import { z } from 'zod';
import type { Env } from './env';
import { EnvironmentError } from './errors';
import { fixedValue, type ReadOptions, type Refreshable, type SecretReader } from './secrets';

/** What the workflow's tasks need of the Slack secret: the bot token. */
const BotTokenSchema = z.object({ botToken: z.string().min(1) });
/** The whole Slack secret, as the Slack endpoint needs it. */
const SlackSecretSchema = z.object({ signingSecret: z.string().min(1), botToken: z.string().min(1) });

/** The Slack app's signing secret and bot token. */
export type SlackCredentials = z.infer<typeof SlackSecretSchema>;

/** The bot token: `SLACK_BOT_TOKEN`, else the `botToken` of the secret `SLACK_SECRET_ARN` names. */
export async function slackBotToken(env: Env, secrets: SecretReader, options: ReadOptions = {}): Promise<string> {
  if (env.SLACK_BOT_TOKEN) return env.SLACK_BOT_TOKEN;
  if (env.SLACK_SECRET_ARN) return (await secrets.json(env.SLACK_SECRET_ARN, BotTokenSchema, options)).botToken;
  throw new EnvironmentError('SLACK_BOT_TOKEN', 'is not set, and neither is SLACK_SECRET_ARN');
}

/** Signing secret and bot token: both variables when set, else the secret `SLACK_SECRET_ARN` names. */
export async function slackCredentials(
  env: Env,
  secrets: SecretReader,
  options: ReadOptions = {},
): Promise<SlackCredentials> {
  if (env.SLACK_SIGNING_SECRET && env.SLACK_BOT_TOKEN)
    return { signingSecret: env.SLACK_SIGNING_SECRET, botToken: env.SLACK_BOT_TOKEN };
  if (env.SLACK_SECRET_ARN) return secrets.json(env.SLACK_SECRET_ARN, SlackSecretSchema, options);
  const missing = env.SLACK_SIGNING_SECRET ? 'SLACK_BOT_TOKEN' : 'SLACK_SIGNING_SECRET';
  throw new EnvironmentError(missing, 'is not set, and neither is SLACK_SECRET_ARN');
}

/** The bot token as a Refreshable: fixed when set in the environment, else the Slack secret's, cached and re-read. */
export function slackBotTokenSource(env: Env, secrets: SecretReader): Refreshable<string> {
  if (env.SLACK_BOT_TOKEN) return fixedValue(env.SLACK_BOT_TOKEN);
  return { current: () => slackBotToken(env, secrets), fresh: () => slackBotToken(env, secrets, { fresh: true }) };
}
