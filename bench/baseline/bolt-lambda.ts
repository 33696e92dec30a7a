/**
 * The baseline for cold-start figures: the shape of Slack's own Bolt-on-Lambda example
 * (an App on an AwsLambdaReceiver answering one slash command), bundled like the product's functions.
 */
import { App, AwsLambdaReceiver } from '@slack/bolt';
import type { AwsEvent } from '@slack/bolt/dist/receivers/AwsLambdaReceiver';

const receiver = new AwsLambdaReceiver({ signingSecret: process.env.SLACK_SIGNING_SECRET ?? 'baseline-secret' });
// The Web API address is the only addition to Slack's example: the benchmark points it at the Slack stand-in.
const app = new App({
  token: process.env.SLACK_BOT_TOKEN ?? 'xoxb-baseline',
  receiver,
  ...(process.env.SLACK_API_URL ? { clientOptions: { slackApiUrl: process.env.SLACK_API_URL } } : {}),
});

app.command('/hello', async ({ ack }) => {
  await ack('Hello!');
});

/** Lambda entry point. */
export const handler = async (event: AwsEvent, context: unknown): Promise<unknown> => {
  const handle = await receiver.start();
  return handle(event, context);
};
