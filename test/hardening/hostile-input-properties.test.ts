/**
 * Property-based tests over every parser that reads outside text: Slack payloads, the `/jit` text
 * shortcut, durations, configuration, and ONTAP names on their way into a URL. Each either answers
 * with a value that keeps its promises or refuses with its own named error; none throws anything
 * else, and no name changes the ONTAP path or query (checked on the simulator's call log).
 */
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { ConfigError } from '../../lambdas/config/errors';
import { parseConfig, parseConfigText } from '../../lambdas/config/load';
import { formatDuration, parseDuration, toIsoDuration } from '../../lambdas/domain/durations';
import { DomainError } from '../../lambdas/domain/errors';
import { checkDraft } from '../../lambdas/domain/request-form';
import { OntapInvalidInputError } from '../../lambdas/ontap';
import { parseCommandText } from '../../lambdas/slack/command-text';
import { SlackPayloadError } from '../../lambdas/slack/errors';
import {
  DecisionClickSchema,
  parsePayload,
  SlashCommandSchema,
  ViewSubmissionSchema,
} from '../../lambdas/slack/payloads';
import { type OntapSimulator, startOntapSimulator } from '../../local/ontap-sim';
import { clientFor } from '../ontap/sim-client';
import { rawPolicy, TEST_CONFIG } from '../support/configs';
import { Tally } from '../support/hardening';

const RUNS = Number(process.env.JIT_PROPERTY_RUNS ?? 300);
const runs = new Tally();
afterAll(() => console.log(runs.render(`Property runs (property: cases tried; ${RUNS} per property)`)));

/** Runs a property and counts its cases. */
function check<T>(name: string, arb: fc.Arbitrary<T>, predicate: (value: T) => void, numRuns = RUNS): void {
  fc.assert(
    fc.property(arb, (value) => {
      runs.add(name);
      predicate(value);
    }),
    { numRuns },
  );
}

/** Text people and attackers type: Unicode, control characters, look-alikes, mrkdwn, URL and query syntax. */
const NASTY = [
  '/',
  '..',
  '%2F',
  '%2e%2e',
  '?',
  '&',
  '*',
  '|',
  '!',
  '<',
  '>',
  '#',
  '%',
  '\\',
  '\u0000',
  '\n',
  '\r',
  '\t',
  '\u202e',
  '\u200b',
  '\uff0f',
  '\u2215',
  '\u0430',
  '\u0415',
  '\u212a',
  '<!channel>',
  '<!here>',
  '<@U0BOB>',
  '<http://evil.example|click>',
  '&lt;',
  '&amp;',
  '&gt;',
  '`',
  '*bold*',
  '~',
  '"',
  "'",
  ' ',
  'ｓｖｍ１',
  'svm1',
  'vsadmin',
  '1h',
  'PT2H',
];
const nastyText = fc
  .array(
    fc.oneof(
      fc.constantFrom(...NASTY),
      fc.string({ unit: 'grapheme', maxLength: 8 }),
      fc.string({ unit: 'binary', maxLength: 4 }),
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(''));

describe('the /jit text shortcut', () => {
  it('never throws, and a one-line request is cut into whitespace-free fields', () => {
    check(
      'parseCommandText: arbitrary text',
      fc.oneof(nastyText, fc.string({ unit: 'binary', maxLength: 300 })),
      (text) => {
        const parsed = parseCommandText(text);
        if (parsed.kind !== 'request') return;
        for (const field of [parsed.draft.cluster, parsed.draft.svm, parsed.draft.role, parsed.draft.duration]) {
          if (field !== undefined) expect(field).not.toMatch(/\s/);
        }
        expect(parsed.draft.justification?.trim()).not.toBe('');
      },
    );
  });

  it('whatever the text, a checked draft names only a configured cluster, an SVM and role of plain characters, and a duration within the policy', () => {
    const actor = { userId: 'U0ALICE', groups: new Set<string>() };
    const now = DateTime.fromISO('2026-11-22T10:00:00Z', { zone: 'utc' });
    check(
      'checkDraft over /jit text',
      fc.tuple(nastyText, nastyText, nastyText, nastyText),
      ([target, role, duration, why]) => {
        const parsed = parseCommandText(`${target} ${role} ${duration} ${why}`);
        if (parsed.kind !== 'request') return;
        const result = checkDraft(parsed.draft, { config: TEST_CONFIG, actor, now });
        if (!result.ok) {
          for (const message of Object.values(result.errors)) expect(typeof message).toBe('string');
          return;
        }
        expect(TEST_CONFIG.clusters.map((c) => c.name)).toContain(result.value.cluster);
        expect(result.value.svm).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/);
        expect(result.value.role).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/);
        expect(result.value.durationSeconds).toBeLessThanOrEqual(result.value.policy.maxDuration);
        // biome-ignore lint/suspicious/noControlCharactersInRegex: the test checks that no control character got through.
        expect(result.value.justification).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F]/);
      },
    );
  });
});

describe('durations', () => {
  it('parse to positive whole seconds or refuse with InvalidDurationError', () => {
    const durationLike = fc.oneof(
      nastyText,
      fc.stringMatching(/^[+-]?P(\d{0,4}[YMWD]){0,3}(T(\d{0,6}(\.\d{1,3})?[HMS]){0,3})?$/),
      fc.stringMatching(
        /^-?\d{0,9}\s*(d|days?|h|hrs?|hours?|m|mins?|minutes?|s|secs?|seconds?|w|y)?(\s*\d{0,9}\s*(h|m|s))?$/,
      ),
    );
    check('parseDuration: arbitrary text', durationLike, (text) => {
      let seconds: number;
      try {
        seconds = parseDuration(text);
      } catch (error) {
        expect(error).toBeInstanceOf(DomainError);
        expect((error as Error).name).toBe('InvalidDurationError');
        return;
      }
      expect(Number.isSafeInteger(seconds)).toBe(true);
      expect(seconds).toBeGreaterThan(0);
    });
  });

  it("round-trip through ONTAP's ISO form and the readable form", () => {
    check('duration round trip', fc.integer({ min: 1, max: 90 * 86400 }), (seconds) => {
      expect(parseDuration(toIsoDuration(seconds))).toBe(seconds);
      expect(formatDuration(seconds)).not.toMatch(/NaN|undefined/);
    });
  });
});

describe('configuration', () => {
  const valid = JSON.parse(
    JSON.stringify({
      clusters: [{ name: 'cluster1' }],
      slack: { approvalChannel: 'C0APPROVALS', accounts: { map: { U0ALICE: 'alice' } } },
      policies: [rawPolicy()],
    }),
  ) as Record<string, unknown>;

  it('a valid configuration with one field replaced by anything is accepted or refused with a ConfigError naming a field', () => {
    const paths = [
      ['clusters', 0, 'name'],
      ['clusters', 0, 'endpoint'],
      ['clusters', 0, 'timeout'],
      ['slack', 'approvalChannel'],
      ['slack', 'accounts', 'map'],
      ['policies', 0, 'name'],
      ['policies', 0, 'maxDuration'],
      ['policies', 0, 'approvalsRequired'],
      ['policies', 0, 'approvers'],
      ['policies', 0, 'requesters'],
      ['policies', 0, 'roles'],
      ['retention'],
      ['policies'],
      ['clusters'],
    ] as const;
    check(
      'parseConfig: one field replaced',
      fc.tuple(fc.constantFrom(...paths), fc.oneof(fc.jsonValue({ maxDepth: 2 }), nastyText, fc.constant(undefined))),
      ([path, value]) => {
        const config = JSON.parse(JSON.stringify(valid)) as Record<string | number, unknown>;
        let node: Record<string | number, unknown> = config;
        for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
        node[path[path.length - 1] as string | number] = value;
        try {
          const parsed = parseConfig(config);
          // Accepted: every policy's durations are positive whole seconds and limits hold.
          for (const p of parsed.policies) expect(p.defaultDuration).toBeLessThanOrEqual(p.maxDuration);
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
          expect((error as Error).message).toMatch(/^Invalid configuration/);
        }
      },
    );
  });

  it('arbitrary text as the configuration file is refused with a ConfigError', () => {
    check(
      'parseConfigText: arbitrary text',
      fc.oneof(nastyText, fc.string({ unit: 'binary', maxLength: 400 }), fc.json()),
      (text) => {
        try {
          parseConfigText(text);
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
        }
      },
    );
  });
});

describe('Slack payloads', () => {
  const anything = fc.oneof(fc.anything({ maxDepth: 3 }), fc.jsonValue({ maxDepth: 3 }));
  it.each([
    ['slash command', SlashCommandSchema],
    ['button click', DecisionClickSchema],
    ['view submission', ViewSubmissionSchema],
  ] as const)('a %s that is anything at all parses or is refused with SlackPayloadError', (what, schema) => {
    check(`parsePayload(${what}): arbitrary values`, anything, (value) => {
      try {
        parsePayload(schema as never, value, what);
      } catch (error) {
        expect(error).toBeInstanceOf(SlackPayloadError);
      }
    });
  });

  it('a click whose request id or user id is hostile text is refused', () => {
    check('button click: hostile ids', fc.tuple(nastyText, nastyText), ([value, user]) => {
      const click = {
        type: 'block_actions',
        user: { id: user },
        trigger_id: 't',
        actions: [{ action_id: 'jit_approve', value }],
      };
      try {
        const parsed = parsePayload(DecisionClickSchema, click, 'button click');
        expect(parsed.actions[0].value).toMatch(/^[A-Za-z0-9-]{8,80}$/);
        expect(parsed.user.id).toMatch(/^[UW][A-Z0-9]{2,20}$/);
      } catch (error) {
        expect(error).toBeInstanceOf(SlackPayloadError);
      }
    });
  });
});

describe('ONTAP names on their way into a URL', () => {
  let sim: OntapSimulator;
  beforeAll(async () => {
    sim = await startOntapSimulator();
  });
  afterAll(async () => {
    await sim.close();
  });

  it('an account or SVM name never changes the path or the query: refused before any call, or sent as one encoded segment or one value', async () => {
    const { client } = clientFor(sim, { retry: { attempts: 1 } });
    const name = fc.oneof(
      nastyText,
      fc.constantFrom(
        'a/b',
        '..',
        '../../cluster/jobs',
        '%2F',
        'x?fields=*',
        'a&b=c',
        '*',
        'svm1|svm2',
        '!svm1',
        'a#b',
        '.',
        'alice%00',
      ),
    );
    await fc.assert(
      fc.asyncProperty(name, async (value) => {
        runs.add('ONTAP names: path and query');
        sim.clearCalls();
        const results = await Promise.allSettled([
          client.getJitUser('02c9e252-41be-11e9-81d5-00a0986138f7', value),
          client.removeJitUser('02c9e252-41be-11e9-81d5-00a0986138f7', value, 'ssh', { onlyIfComment: 'x' }),
          client.getAccount('svm1', value),
          client.getAccount(value, 'alice'),
          client.resolveSvm(value),
          client.roleExists(value, 'vsadmin'),
        ]);
        for (const r of results)
          if (r.status === 'rejected' && r.reason instanceof OntapInvalidInputError)
            expect(r.reason.message).toContain(JSON.stringify(value));
        const refused = results.every((r) => r.status === 'rejected' && r.reason instanceof OntapInvalidInputError);
        if (refused) {
          expect(sim.calls()).toEqual([]);
          return;
        }
        // The cluster owner's lookup (scope=cluster) carries no name.
        for (const call of sim.calls().filter((c) => c.query.scope !== 'cluster')) {
          const segments = call.path.split('/');
          if (call.path.startsWith('/api/security/jit-privilege-users/')) {
            // /api/security/jit-privilege-users/<uuid>/<account>/<application>
            expect(segments).toHaveLength(7);
            expect(decodeURIComponent(segments[5] as string)).toBe(value);
            expect(segments[6]).toBe('ssh');
          } else {
            expect([
              '/api/svm/svms',
              '/api/security/accounts',
              '/api/security/roles',
              '/api/security/jit-privilege-users',
            ]).toContain(call.path);
            // The name is one query value, exactly as given; no parameter was added by it.
            const values = Object.values(call.query);
            if (call.path !== '/api/security/jit-privilege-users') expect(values).toContain(value);
            expect(Object.keys(call.query).every((k) => /^[a-z_.]+$/.test(k))).toBe(true);
          }
        }
      }),
      { numRuns: Math.min(RUNS, 200) },
    );
  });
});
