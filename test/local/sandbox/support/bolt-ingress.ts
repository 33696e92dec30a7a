/**
 * A tiny app behind a loopback Slack endpoint, for the sandbox's tests: a real Bolt App with
 * AwsLambdaReceiver (Bolt verifies each signature and parses each payload itself), plus an
 * independent check of every request's signature with Bolt's `isValidSlackRequest`. It opens a
 * request modal on `/jit`, updates it when an SVM is chosen, refuses a bad duration with
 * `response_action: errors`, posts an approval message with buttons and updates it on a click.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, AwsLambdaReceiver, isValidSlackRequest, LogLevel } from '@slack/bolt';

type AwsEvent = Parameters<Awaited<ReturnType<AwsLambdaReceiver['start']>>>[0];

/** One request the endpoint received. */
export interface ReceivedRequest {
  readonly kind: string;
  readonly validSignature: boolean;
  readonly contentType: string;
  readonly rawBody: string;
  readonly status: number;
}

/** The running test app. */
export interface TestIngress {
  readonly url: string;
  readonly received: ReceivedRequest[];
  /** `view.state.values` of every view_submission Bolt parsed. */
  readonly submissions: Record<string, Record<string, unknown>>[];
  /** Every block_actions body Bolt parsed. */
  readonly actions: Record<string, unknown>[];
  close(): Promise<void>;
}

const escapeMrkdwn = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function requestModal(channel: string, note?: string) {
  return {
    type: 'modal' as const,
    callback_id: 'jit_request',
    private_metadata: JSON.stringify({ channel }),
    title: { type: 'plain_text' as const, text: 'Request access' },
    submit: { type: 'plain_text' as const, text: 'Request' },
    close: { type: 'plain_text' as const, text: 'Cancel' },
    blocks: [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: '*Ask for a role on an SVM.* Approvers in <#C0APPROVALS> decide.' },
      },
      {
        type: 'input',
        block_id: 'svm',
        dispatch_action: true,
        label: { type: 'plain_text', text: 'SVM' },
        element: {
          type: 'static_select',
          action_id: 'svm',
          placeholder: { type: 'plain_text', text: 'Choose an SVM' },
          option_groups: [
            {
              label: { type: 'plain_text', text: 'cluster1' },
              options: [
                { text: { type: 'plain_text', text: 'svm1' }, value: 'svm1' },
                { text: { type: 'plain_text', text: 'svm2' }, value: 'svm2' },
              ],
            },
          ],
        },
      },
      ...(note ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: note }] }] : []),
      {
        type: 'input',
        block_id: 'role',
        label: { type: 'plain_text', text: 'Role' },
        element: {
          type: 'radio_buttons',
          action_id: 'role',
          initial_option: { text: { type: 'plain_text', text: 'vsadmin' }, value: 'vsadmin' },
          options: [
            { text: { type: 'plain_text', text: 'vsadmin' }, value: 'vsadmin' },
            {
              text: { type: 'plain_text', text: 'vsadmin-volume' },
              value: 'vsadmin-volume',
              description: { type: 'plain_text', text: 'Volumes only' },
            },
          ],
        },
      },
      {
        type: 'input',
        block_id: 'duration',
        label: { type: 'plain_text', text: 'For how long' },
        hint: { type: 'plain_text', text: 'At most 8h.' },
        element: { type: 'plain_text_input', action_id: 'duration', initial_value: '1h' },
      },
      {
        type: 'input',
        block_id: 'justification',
        label: { type: 'plain_text', text: 'Why' },
        element: {
          type: 'plain_text_input',
          action_id: 'justification',
          multiline: true,
          placeholder: { type: 'plain_text', text: 'What needs fixing?' },
        },
      },
      {
        type: 'input',
        block_id: 'start_date',
        optional: true,
        label: { type: 'plain_text', text: 'Start on' },
        element: { type: 'datepicker', action_id: 'start_date' },
      },
      {
        type: 'input',
        block_id: 'start_time',
        optional: true,
        label: { type: 'plain_text', text: 'Start at' },
        element: { type: 'timepicker', action_id: 'start_time' },
      },
    ],
  };
}

/** Starts the app on loopback; `slackApiUrl` is the Web API stand-in it calls. */
export async function startBoltIngress(options: {
  signingSecret: string;
  slackApiUrl: string;
  approvalChannel: string;
}): Promise<TestIngress> {
  const received: ReceivedRequest[] = [];
  const submissions: Record<string, Record<string, unknown>>[] = [];
  const actions: Record<string, unknown>[] = [];
  const receiver = new AwsLambdaReceiver({ signingSecret: options.signingSecret, logLevel: LogLevel.ERROR });
  const app = new App({
    token: 'xoxb-test',
    receiver,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: options.slackApiUrl },
  });

  app.command('/jit', async ({ ack, command, client }) => {
    if (command.text === 'help')
      return ack({
        response_type: 'ephemeral',
        text: 'Usage: `/jit` opens the request form; `/jit list` shows your requests.',
      });
    await ack();
    await client.views.open({ trigger_id: command.trigger_id, view: requestModal(command.channel_id) });
  });

  app.action({ block_id: 'svm', action_id: 'svm' }, async ({ ack, body, client }) => {
    await ack();
    actions.push(body as unknown as Record<string, unknown>);
    if (body.type !== 'block_actions' || !body.view) return;
    const chosen = body.actions[0]?.type === 'static_select' ? body.actions[0].selected_option?.value : undefined;
    await client.views.update({
      view_id: body.view.id,
      hash: body.view.hash,
      view: requestModal(
        JSON.parse(body.view.private_metadata).channel,
        `_${chosen ?? 'no SVM'}_ has no active grant.`,
      ),
    });
  });

  app.view('jit_request', async ({ ack, view, body, client }) => {
    const values = view.state.values;
    submissions.push(JSON.parse(JSON.stringify(values)) as Record<string, Record<string, unknown>>);
    const duration = String(values.duration?.duration?.value ?? '');
    const hours = /^(\d+)h$/.exec(duration);
    if (!hours || Number(hours[1]) > 8) {
      await ack({
        response_action: 'errors',
        errors: { duration: `"${duration}" is not a duration of at most 8h, e.g. 2h.` },
      });
      return;
    }
    await ack();
    const svm = values.svm?.svm?.selected_option?.value ?? '?';
    const role = values.role?.role?.selected_option?.value ?? '?';
    const why = String(values.justification?.justification?.value ?? '');
    await client.chat.postMessage({
      channel: options.approvalChannel,
      text: `Access request from <@${body.user.id}>`,
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'Access request :lock:' } },
        {
          type: 'section',
          fields: [
            { type: 'mrkdwn', text: `*Requester*\n<@${body.user.id}>` },
            { type: 'mrkdwn', text: `*SVM*\n\`${svm}\`` },
            { type: 'mrkdwn', text: `*Role*\n${role}` },
            { type: 'mrkdwn', text: `*Duration*\n${duration}` },
          ],
        },
        { type: 'section', block_id: 'why', text: { type: 'mrkdwn', text: `>${escapeMrkdwn(why)}` } },
        {
          type: 'actions',
          block_id: 'decision',
          elements: [
            {
              type: 'button',
              action_id: 'approve',
              style: 'primary',
              value: 'REQ-1',
              text: { type: 'plain_text', text: 'Approve' },
            },
            {
              type: 'button',
              action_id: 'deny',
              style: 'danger',
              value: 'REQ-1',
              text: { type: 'plain_text', text: 'Deny' },
              confirm: {
                title: { type: 'plain_text', text: 'Deny this request?' },
                text: { type: 'mrkdwn', text: `<@${body.user.id}> will be told.` },
                confirm: { type: 'plain_text', text: 'Deny' },
                deny: { type: 'plain_text', text: 'Keep it' },
                style: 'danger',
              },
            },
          ],
        },
        { type: 'context', elements: [{ type: 'mrkdwn', text: 'Request `REQ-1` · waiting for 1 approval' }] },
      ],
    });
    await client.chat.postEphemeral({
      channel: options.approvalChannel,
      user: body.user.id,
      text: 'Your request REQ-1 was sent to the approvers.',
    });
  });

  app.action('approve', async ({ ack, body, client }) => {
    await ack();
    actions.push(body as unknown as Record<string, unknown>);
    if (body.type !== 'block_actions' || !body.message || !body.channel) return;
    await client.chat.update({
      channel: body.channel.id,
      ts: body.message.ts,
      text: 'Approved',
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: `:white_check_mark: *Approved* by <@${body.user.id}>` } },
        { type: 'context', elements: [{ type: 'mrkdwn', text: 'Request `REQ-1` · active' }] },
      ],
    });
    await client.chat.postMessage({
      channel: body.channel.id,
      thread_ts: body.message.ts,
      text: 'Granted `vsadmin` on `svm1` until 14:00.',
    });
  });

  const handler = await receiver.start();
  const server = createServer((req, res) => {
    void (async () => {
      const rawBody = await readBody(req);
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]),
      );
      const validSignature = isValidSlackRequest({
        signingSecret: options.signingSecret,
        body: rawBody,
        headers: {
          'x-slack-signature': headers['x-slack-signature'] ?? '',
          'x-slack-request-timestamp': Number(headers['x-slack-request-timestamp']),
        },
      });
      const event: AwsEvent = {
        body: rawBody,
        headers,
        isBase64Encoded: false,
        pathParameters: null,
        queryStringParameters: null,
        requestContext: {},
        stageVariables: null,
        httpMethod: req.method ?? 'POST',
        multiValueHeaders: {},
        multiValueQueryStringParameters: null,
        path: req.url ?? '/',
        resource: '/slack/events',
      };
      const answer = await handler(event, {});
      received.push({
        kind: kindOf(rawBody),
        validSignature,
        contentType: headers['content-type'] ?? '',
        rawBody,
        status: answer.statusCode,
      });
      res.writeHead(
        answer.statusCode,
        Object.fromEntries(Object.entries(answer.headers ?? {}).map(([k, v]) => [k, String(v)])),
      );
      res.end(answer.body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/slack/events`,
    received,
    submissions,
    actions,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function kindOf(rawBody: string): string {
  const form = new URLSearchParams(rawBody);
  const payload = form.get('payload');
  if (payload) return String((JSON.parse(payload) as { type?: unknown }).type);
  return form.get('command') ? `command ${form.get('command')} ${form.get('text')}`.trim() : 'unknown';
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
