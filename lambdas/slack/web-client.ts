/**
 * A Slack Web API client whose bot token can change while the process lives. Each call uses the
 * token its source holds now (the Slack secret, re-read after its maximum age); when Slack refuses
 * it (`invalid_auth`, `token_revoked`...), the source is read again at once and the call is sent
 * once more with the new token. A token that is refused again, or did not change, ends the call
 * with Slack's own error: one retry, never a loop.
 */
import { ErrorCode, type WebAPICallResult, WebClient, type WebClientOptions } from '@slack/web-api';
import { slackFetch } from './http-fetch';

/** Where the bot token comes from (see lambdas/runtime/secrets.ts `Refreshable`). */
export interface BotTokenSource {
  /** The token to use now. */
  current(): Promise<string>;
  /** The token read again from its store, after Slack refused the current one. */
  fresh(): Promise<string>;
}

/** A token that never changes (given as such): a refusal of it ends the call at once. */
export function fixedToken(token: string): BotTokenSource {
  return { current: () => Promise.resolve(token), fresh: () => Promise.resolve(token) };
}

/** Slack's answers that mean the token itself was refused, which a rotated token may cure. */
export const TOKEN_REFUSALS: ReadonlySet<string> = new Set([
  'invalid_auth',
  'token_revoked',
  'token_expired',
  'not_authed',
  'account_inactive',
]);

/** Whether a Web API error says the token was refused. */
export function isTokenRefusal(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, data } = error as { code?: unknown; data?: { error?: unknown } };
  return code === ErrorCode.PlatformError && typeof data?.error === 'string' && TOKEN_REFUSALS.has(data.error);
}

/**
 * A WebClient that takes its token from `source` at each call and retries once with a fresh one after a
 * refusal; it sends with `slackFetch` (node's http/https) unless `options.fetch` says otherwise.
 */
export class RefreshingWebClient extends WebClient {
  readonly #source: BotTokenSource;

  /** See WebClient; the token comes from `source` rather than the constructor. */
  constructor(source: BotTokenSource, options: WebClientOptions = {}) {
    super(undefined, { fetch: slackFetch, ...options });
    this.#source = source;
  }

  /** Every Web API method goes through here (WebClient binds them to `apiCall`). */
  override async apiCall(method: string, options: Record<string, unknown> = {}): Promise<WebAPICallResult> {
    // A caller that names its own token (Bolt does, from `authorize`) is served as WebClient would.
    if (typeof options.token === 'string') return super.apiCall(method, options);
    const token = await this.#source.current();
    try {
      return await super.apiCall(method, { ...options, token });
    } catch (error) {
      if (!isTokenRefusal(error)) throw error;
      const fresh = await this.#source.fresh();
      if (fresh === token) throw error;
      return super.apiCall(method, { ...options, token: fresh });
    }
  }
}
