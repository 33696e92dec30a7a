/** The ONTAP REST endpoints the simulator answers, as a route table over `SimState`. */
import { answerAuditMessages } from './audit-log';
import { OntapSimError } from './errors';
import {
  answerCollection,
  booleanParam,
  type CollectionSpec,
  fieldsParam,
  onlyParams,
  project,
  type QueryParams,
} from './query';
import {
  accountRecord,
  createdJitUserRecord,
  jitSettingsRecord,
  jitUserHref,
  jitUserRecord,
  jobRecord,
  roleRecord,
  svmRecord,
  type WireRecord,
} from './records';
import type { SimState } from './state';

/** A request as a handler sees it: decoded path parameters, query, parsed body. */
export interface RouteContext {
  state: SimState;
  params: string[];
  query: QueryParams;
  body: unknown;
  /** Path as received (still percent-encoded), used for `_links.next`. */
  path: string;
  /** Path and query as received, used for `_links.self`. */
  selfHref: string;
}

/** A handler's answer. */
export interface RouteAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

type Handler = (ctx: RouteContext) => RouteAnswer;

/** One path pattern (`:x` = a path parameter) and its methods. */
export interface Route {
  pattern: string[];
  methods: Partial<Record<string, Handler>>;
  /** What a 202 job created for this route describes. */
  jobDescription?: string;
}

const SVMS: CollectionSpec = {
  keyFields: ['uuid', 'name'],
  fields: ['uuid', 'name', 'state', 'subtype', 'comment', '_links'],
  filters: ['uuid', 'name', 'state', 'subtype', 'comment'],
};
const ACCOUNTS: CollectionSpec = {
  keyFields: ['owner', 'name'],
  fields: ['owner', 'name', 'applications', 'role', 'locked', 'comment', 'scope', '_links'],
  filters: [
    'name',
    'owner.uuid',
    'owner.name',
    'scope',
    'locked',
    'role.name',
    'comment',
    'applications.application',
    'applications.authentication_methods',
    'applications.second_authentication_method',
  ],
};
const ROLES: CollectionSpec = {
  keyFields: ['owner', 'name'],
  fields: ['owner', 'name', 'privileges', 'builtin', 'scope', '_links'],
  filters: ['name', 'owner.uuid', 'owner.name', 'scope', 'builtin', 'privileges.access', 'privileges.path'],
};
const JIT_SETTINGS: CollectionSpec = {
  keyFields: ['owner', 'application'],
  fields: ['owner', 'application', 'default_session_validity_period', 'max_jit_validity_period', '_links'],
  filters: ['owner.uuid', 'owner.name', 'application', 'default_session_validity_period', 'max_jit_validity_period'],
};
// Key fields as the reference page's list example shows them: `account` without its link.
const JIT_USERS: CollectionSpec = {
  keyFields: ['owner', 'account.name', 'application'],
  fields: [
    'owner',
    'account',
    'application',
    'role',
    'session_validity',
    'jit_validity',
    'start_time',
    'end_time',
    'jit_state',
    'comment',
    '_links',
  ],
  filters: [
    'start_time',
    'role.name',
    'jit_state',
    'account.name',
    'application',
    'jit_validity',
    'session_validity',
    'end_time',
    'owner.name',
    'owner.uuid',
    'comment',
  ],
};
const JOBS: CollectionSpec = {
  keyFields: ['uuid'],
  fields: ['uuid', 'description', 'state', 'message', 'code', 'start_time', 'end_time', '_links'],
  filters: ['uuid', 'description', 'state', 'message', 'code'],
};

const notFound = (target: string): OntapSimError => new OntapSimError(404, "entry doesn't exist", '4', target);

function collection(records: (ctx: RouteContext) => WireRecord[], spec: CollectionSpec): Handler {
  return (ctx) => ({ status: 200, body: answerCollection(records(ctx), spec, ctx.query, ctx.path, ctx.selfHref) });
}

function single(find: (ctx: RouteContext) => WireRecord | undefined, spec: CollectionSpec, target: string): Handler {
  return (ctx) => {
    onlyParams(ctx.query, ['fields', 'return_timeout']);
    const record = find(ctx);
    if (!record) throw notFound(target);
    const fields = fieldsParam(ctx.query, spec);
    return {
      status: 200,
      body: fields === undefined || fields === '*' ? record : project(record, spec.keyFields, fields),
    };
  };
}

const p = (ctx: RouteContext, i: number): string => ctx.params[i] ?? '';

/** Every endpoint the simulator serves. */
export const ROUTES: Route[] = [
  {
    pattern: ['api', 'svm', 'svms'],
    methods: { GET: collection((c) => c.state.svms.map(svmRecord), SVMS) },
  },
  {
    pattern: ['api', 'svm', 'svms', ':uuid'],
    methods: {
      // Data SVMs only: REST exposes the admin SVM as an owner, never as an SVM.
      GET: single(
        (c) => {
          const svm = c.state.svms.find((s) => s.uuid === p(c, 0));
          return svm ? svmRecord(svm) : undefined;
        },
        SVMS,
        'uuid',
      ),
    },
  },
  {
    pattern: ['api', 'security', 'accounts'],
    methods: { GET: collection((c) => c.state.accounts.map((a) => accountRecord(c.state, a)), ACCOUNTS) },
  },
  {
    pattern: ['api', 'security', 'accounts', ':owner', ':name'],
    methods: {
      GET: single(
        (c) => {
          const a = c.state.accounts.find((x) => x.ownerUuid === p(c, 0) && x.name === p(c, 1));
          return a ? accountRecord(c.state, a) : undefined;
        },
        ACCOUNTS,
        'name',
      ),
    },
  },
  {
    pattern: ['api', 'security', 'roles'],
    methods: { GET: collection((c) => c.state.roles.map((r) => roleRecord(c.state, r)), ROLES) },
  },
  {
    pattern: ['api', 'security', 'roles', ':owner', ':name'],
    methods: {
      GET: single(
        (c) => {
          const r = c.state.roles.find((x) => x.ownerUuid === p(c, 0) && x.name === p(c, 1));
          return r ? roleRecord(c.state, r) : undefined;
        },
        ROLES,
        'name',
      ),
    },
  },
  {
    pattern: ['api', 'security', 'jit-privileges'],
    methods: { GET: collection((c) => c.state.allSvms().map((s) => jitSettingsRecord(c.state, s)), JIT_SETTINGS) },
  },
  {
    pattern: ['api', 'security', 'jit-privileges', ':owner', ':application'],
    jobDescription: 'PATCH /api/security/jit-privileges',
    methods: {
      GET: single(
        (c) => {
          const svm = c.state.svmByUuid(p(c, 0));
          return svm && p(c, 1) === 'ssh' ? jitSettingsRecord(c.state, svm) : undefined;
        },
        JIT_SETTINGS,
        'owner.uuid',
      ),
      PATCH: (c) => {
        onlyParams(c.query, ['return_timeout']);
        c.state.patchJitSettings(p(c, 0), p(c, 1), c.body);
        return { status: 200, body: {} };
      },
    },
  },
  {
    pattern: ['api', 'security', 'jit-privilege-users'],
    jobDescription: 'POST /api/security/jit-privilege-users',
    methods: {
      GET: collection((c) => c.state.jitUsers.map((e) => jitUserRecord(c.state, e)), JIT_USERS),
      POST: (c) => {
        onlyParams(c.query, ['return_records', 'return_timeout']);
        const entry = c.state.createJitUser(c.body);
        const headers = { Location: jitUserHref(entry) };
        if (!booleanParam(c.query, 'return_records', false)) return { status: 201, body: {}, headers };
        return { status: 201, body: { num_records: 1, records: [createdJitUserRecord(c.state, entry)] }, headers };
      },
    },
  },
  {
    pattern: ['api', 'security', 'jit-privilege-users', ':owner', ':account', ':application'],
    jobDescription: 'DELETE /api/security/jit-privilege-users',
    methods: {
      GET: single(
        (c) => {
          const e = c.state.findJitUser(p(c, 0), p(c, 1), p(c, 2));
          return e ? jitUserRecord(c.state, e) : undefined;
        },
        JIT_USERS,
        'account.name',
      ),
      DELETE: (c) => {
        onlyParams(c.query, ['return_timeout']);
        c.state.deleteJitUser(p(c, 0), p(c, 1), p(c, 2));
        return { status: 200, body: {} };
      },
    },
  },
  {
    pattern: ['api', 'security', 'audit', 'messages'],
    methods: { GET: (c) => ({ status: 200, body: answerAuditMessages(c.state, c.query, c.path, c.selfHref) }) },
  },
  {
    pattern: ['api', 'cluster', 'jobs'],
    methods: { GET: collection((c) => [...c.state.jobs.values()].map(jobRecord), JOBS) },
  },
  {
    pattern: ['api', 'cluster', 'jobs', ':uuid'],
    methods: {
      GET: single(
        (c) => {
          const job = c.state.pollJob(p(c, 0));
          return job ? jobRecord(job) : undefined;
        },
        JOBS,
        'uuid',
      ),
    },
  },
];

/** Finds the route for decoded path segments; `params` are the `:x` parts in order. */
export function matchRoute(segments: string[]): { route: Route; params: string[] } | undefined {
  for (const route of ROUTES) {
    if (route.pattern.length !== segments.length) continue;
    const params: string[] = [];
    let ok = true;
    route.pattern.forEach((part, i) => {
      const seg = segments[i] ?? '';
      if (part.startsWith(':')) params.push(seg);
      else if (part !== seg) ok = false;
    });
    if (ok) return { route, params };
  }
  return undefined;
}
