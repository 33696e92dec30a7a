/**
 * What Slack sends, as far as the app reads it: slash commands, button clicks, view submissions
 * and view state. Parsed with zod at the edge; everything past here works on these types.
 */
import { z } from 'zod';
import { SlackPayloadError } from './errors';

const userId = z.string().regex(/^[UW][A-Z0-9]{2,20}$/);
const requestId = z.string().regex(/^[A-Za-z0-9-]{8,80}$/);

/** A `/jit` invocation (form-encoded by Slack). */
export const SlashCommandSchema = z.object({
  command: z.string(),
  text: z.string().max(4000).default(''),
  user_id: userId,
  team_id: z.string().min(1),
  channel_id: z.string().min(1),
  trigger_id: z.string().min(1),
  response_url: z.url(),
});
/** A `/jit` invocation. */
export type SlashCommand = z.infer<typeof SlashCommandSchema>;

const OptionSchema = z.object({ value: z.string().max(2000) });

/** One element's state in `view.state.values[block][action]`, for the element types the app uses. */
export const ElementStateSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('static_select'), selected_option: OptionSchema.nullish() }),
  z.object({ type: z.literal('radio_buttons'), selected_option: OptionSchema.nullish() }),
  z.object({ type: z.literal('plain_text_input'), value: z.string().nullish() }),
  z.object({ type: z.literal('datepicker'), selected_date: z.string().nullish() }),
  z.object({ type: z.literal('timepicker'), selected_time: z.string().nullish(), timezone: z.string().nullish() }),
]);
/** One element's state. */
export type ElementState = z.infer<typeof ElementStateSchema>;

/** `view.state.values`: block id to action id to element state. */
export const ViewStateSchema = z.record(z.string(), z.record(z.string(), ElementStateSchema));
/** `view.state.values`. */
export type ViewState = z.infer<typeof ViewStateSchema>;

const ViewSchema = z.object({
  id: z.string().min(1),
  hash: z.string().optional(),
  callback_id: z.string(),
  private_metadata: z.string().max(3000).default(''),
  state: z.object({ values: ViewStateSchema }).default({ values: {} }),
});

/** A modal's submission. */
export const ViewSubmissionSchema = z.object({
  type: z.literal('view_submission'),
  team: z.object({ id: z.string() }).nullish(),
  user: z.object({ id: userId }),
  view: ViewSchema,
});
/** A modal's submission. */
export type ViewSubmission = z.infer<typeof ViewSubmissionSchema>;

/** A click on one of the approval message's buttons (the value is the request id). */
export const DecisionClickSchema = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id: userId }),
  trigger_id: z.string().min(1),
  actions: z.tuple([z.object({ action_id: z.string(), value: requestId })]).rest(z.unknown()),
  container: z
    .object({ type: z.string(), message_ts: z.string().optional(), channel_id: z.string().optional() })
    .optional(),
  channel: z.object({ id: z.string() }).optional(),
  message: z.object({ ts: z.string() }).optional(),
  response_url: z.url().optional(),
});
/** A click on one of the approval message's buttons. */
export type DecisionClick = z.infer<typeof DecisionClickSchema>;

/** A change of the target or role select inside the request modal. */
export const FormChangeSchema = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id: userId }),
  view: ViewSchema,
});
/** A change inside the request modal. */
export type FormChange = z.infer<typeof FormChangeSchema>;

/** Parses outside data with a schema, or throws a SlackPayloadError naming what was expected. */
export function parsePayload<T>(schema: z.ZodType<T>, data: unknown, what: string): T {
  const result = schema.safeParse(data);
  if (!result.success) throw new SlackPayloadError(what, { cause: result.error });
  return result.data;
}

/** Parses JSON text kept in a view's `private_metadata` with a schema. */
export function parseMetadata<T>(schema: z.ZodType<T>, text: string, what: string): T {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new SlackPayloadError(`${what} private_metadata is not JSON`, { cause: error });
  }
  return parsePayload(schema, data, `${what} private_metadata`);
}
