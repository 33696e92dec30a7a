import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { ConfigError } from '../../lambdas/config/errors';
import { DEFAULT_CONFIG_PATH, formatPath, loadConfig, parseConfig, parseConfigText } from '../../lambdas/config/load';

const example = (): Record<string, unknown> => parseDocument(readFileSync(DEFAULT_CONFIG_PATH, 'utf8')).toJS();

function fieldOf(mutate: (config: any) => void): string {
  const config = example();
  mutate(config);
  try {
    parseConfig(config);
  } catch (error) {
    if (error instanceof ConfigError) {
      expect(error.message).toContain(error.field);
      return error.field;
    }
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

describe('the example configuration', () => {
  it('loads, with durations in seconds and defaults filled', () => {
    const config = loadConfig(DEFAULT_CONFIG_PATH);
    expect(config.clusters[0]).toMatchObject({ name: 'cluster1', timeout: 10 });
    // No endpoint in the example: `npm start` serves the cluster from its simulator (local/local-config.ts).
    expect(config.clusters[0]?.endpoint).toBeUndefined();
    expect(config.policies.map((p) => p.name)).toEqual(['svm1-operators', 'cluster-admin']);
    expect(config.policies[1]).toMatchObject({ approvalsRequired: 2, maxDuration: 7200, sessionValidity: 1800 });
    expect(config.retention).toBe(400 * 86400);
    expect(config.aws.logRetentionDays).toBe(90);
  });
});

describe('configuration errors name their field', () => {
  it.each<[string, (c: any) => void]>([
    ['clusters', (c) => delete c.clusters],
    ['clusters', (c) => (c.clusters = [])],
    ['clusters[0].name', (c) => (c.clusters[0].name = 'bad name!')],
    ['clusters[0].endpoint', (c) => (c.clusters[0].endpoint = 'ftp://cluster1')],
    ['clusters[0].endpoint', (c) => (c.clusters[0].endpoint = 'not a url')],
    ['clusters[0].caCertificate', (c) => (c.clusters[0].caCertificate = 'hello')],
    ['clusters[0].credentials.usernameEnv', (c) => (c.clusters[0].credentials.usernameEnv = 'lower-case')],
    ['clusters[0].credentials', (c) => (c.clusters[0].credentials.password = 'hunter2')],
    ['clusters[0].timeout', (c) => (c.clusters[0].timeout = 'soon')],
    ['clusters[1].name', (c) => c.clusters.push({ ...c.clusters[0] })],
    ['slack.approvalChannel', (c) => (c.slack.approvalChannel = '#approvals')],
    ['slack.accounts.map.alice', (c) => (c.slack.accounts.map.alice = 'alice')],
    ['slack.accounts', (c) => (c.slack.accounts = { map: {} })],
    ['slack.accounts.map.U0CAROL2', (c) => (c.slack.accounts.map.U0CAROL2 = 'carol')],
    ['slack.accounts.map.U0BOBADM', (c) => (c.slack.accounts.people = {})],
    ['slack.accounts.trustedEmailDomains', (c) => (c.slack.accounts.emailLocalPart = true)],
    ['slack.accounts.trustedEmailDomains[0]', (c) => (c.slack.accounts.trustedEmailDomains = ['@example.com'])],
    ['slack.accounts.people.bob', (c) => (c.slack.accounts.people.bob = ['U0BOB'])],
    ['slack.accounts.people.carol', (c) => (c.slack.accounts.people.carol = ['U0CAROL', 'U0BOB'])],
    ['policies[0].maxOpenRequests', (c) => (c.policies[0].maxOpenRequests = 0)],
    ['policies[0].guestsMayRequest', (c) => (c.policies[0].guestsMayRequest = 'yes')],
    ['policies', (c) => (c.policies = [])],
    ['policies[0].maxDuration', (c) => (c.policies[0].maxDuration = 'PT0.5S')],
    ['policies[0].defaultDuration', (c) => (c.policies[0].defaultDuration = '12h')],
    ['policies[0].approvalTimeout', (c) => (c.policies[0].approvalTimeout = '-1h')],
    ['policies[0].approvers', (c) => (c.policies[0].approvers = {})],
    ['policies[1].approvalsRequired', (c) => (c.policies[1].approvalsRequired = 3)],
    ['policies[0].clusters[0]', (c) => (c.policies[0].clusters = ['cluster9'])],
    ['policies[1].name', (c) => (c.policies[1].name = c.policies[0].name)],
    ['policies[0].requesters', (c) => (c.policies[0].requesters = 'everyone')],
    ['retention', (c) => (c.retention = 'P1M')],
    [
      'aws.vpc.subnetIds',
      (c) => (c.aws.vpc = { vpcId: 'vpc-0123abcd', subnetIds: [], securityGroupIds: ['sg-0123abcd'] }),
    ],
    [
      'aws.vpc.vpcId',
      (c) => (c.aws.vpc = { vpcId: 'vpc-0abc', subnetIds: ['subnet-0123abcd'], securityGroupIds: ['sg-0123abcd'] }),
    ],
    [
      'aws.vpc.securityGroupIds[0]',
      (c) => (c.aws.vpc = { vpcId: 'vpc-0123abcd', subnetIds: ['subnet-0123abcd'], securityGroupIds: ['sg-0ccc'] }),
    ],
    ['aws.alarmEmail', (c) => (c.aws.alarmEmail = 'not-an-address')],
    ['', (c) => (c.extra = 1)],
  ])('%s', (field, mutate) => {
    expect(fieldOf(mutate)).toBe(field);
  });

  it('says why an e-mail domain must be trusted, and how to declare one person', () => {
    const open = example() as any;
    open.slack.accounts.emailLocalPart = true;
    expect(() => parseConfig(open)).toThrow(
      'Invalid configuration at slack.accounts.trustedEmailDomains: is required with emailLocalPart: true. Anyone can have bob@gmail.com',
    );
    const shared = example() as any;
    shared.slack.accounts.map.U0CAROL2 = 'carol';
    expect(() => parseConfig(shared)).toThrow(
      'slack.accounts.map.U0CAROL2: names ONTAP account "carol" as U0CAROL does; if both are one person, list them together under slack.accounts.people',
    );
  });

  it('says what is wrong, not only where', () => {
    const config = example() as any;
    delete config.slack.approvalChannel;
    expect(() => parseConfig(config)).toThrow('Invalid configuration at slack.approvalChannel: is required');
  });

  it("takes each cluster's drift handling, report unless told, and names a wrong one", () => {
    const config = example() as any;
    delete config.clusters[0].drift;
    expect(parseConfig(config).clusters[0]?.drift).toBe('report');
    config.clusters[0].drift = 'remove';
    expect(parseConfig(config).clusters[0]?.drift).toBe('remove');
    config.clusters[0].drift = 'delete';
    expect(() => parseConfig(config)).toThrow(/Invalid configuration at clusters\[0\]\.drift/);
  });

  it('refuses text that is not YAML, and duplicate keys', () => {
    expect(() => parseConfigText('clusters: [unclosed')).toThrow(/not valid YAML/);
    expect(() => parseConfigText('retention: 1d\nretention: 2d\n')).toThrow(/not valid YAML/);
  });

  it('refuses a file it cannot read', () => {
    expect(() => loadConfig('/nonexistent/config.yaml')).toThrow(/cannot read \/nonexistent\/config.yaml/);
  });

  it('formats paths like the fields people write', () => {
    expect(formatPath(['policies', 0, 'approvers', 'users', 2])).toBe('policies[0].approvers.users[2]');
  });
});

describe('cluster endpoints are reached over HTTPS', () => {
  const withEndpoint = (endpoint: string) => {
    const config = example() as any;
    config.clusters[0].endpoint = endpoint;
    return config;
  };

  it.each([
    'http://cluster1-mgmt.example.com',
    'http://10.0.0.5',
    'http://cluster1:8080',
    'http://127.evil.example',
    'http://[::ffff:127.0.0.1]',
  ])('refuses %s, naming the field and why', (endpoint) => {
    expect(() => parseConfig(withEndpoint(endpoint))).toThrow(ConfigError);
    expect(() => parseConfig(withEndpoint(endpoint))).toThrow(
      /^Invalid configuration at clusters\[0\]\.endpoint: must use https:\/\/ .*clear text.*loopback/,
    );
  });

  it.each([
    'https://cluster1-mgmt.example.com',
    'https://10.0.0.5:8443',
    'http://127.0.0.1:8080',
    'http://127.1.2.3',
    'http://localhost:9443',
    'http://[::1]:8080',
  ])('accepts %s (HTTPS anywhere, plain HTTP to a local stand-in on a loopback address)', (endpoint) => {
    expect(parseConfig(withEndpoint(endpoint)).clusters[0]?.endpoint).toBe(endpoint);
  });

  it('refuses the word `embedded`: the product knows no simulator (only the local stack reads it)', () => {
    expect(() => parseConfig(withEndpoint('embedded'))).toThrow(/^Invalid configuration at clusters\[0\]\.endpoint: /);
  });
});

describe('policy roles are named', () => {
  it.each([[['*']], [['vsadmin', '*']], [['vsadmin*']]])(
    'refuses roles %j, naming the field and what to do instead',
    (roles) => {
      const config = example() as any;
      config.policies[0].roles = roles;
      const index = roles.findIndex((r) => r.includes('*'));
      expect(() => parseConfig(config)).toThrow(ConfigError);
      expect(() => parseConfig(config)).toThrow(
        `Invalid configuration at policies[0].roles[${index}]: is a wildcard: name each role this policy grants ("*" is not accepted for roles)`,
      );
    },
  );

  it('still takes "*" for clusters and SVMs', () => {
    const config = example() as any;
    config.policies[0].svms = ['*'];
    config.policies[0].clusters = ['*'];
    expect(parseConfig(config).policies[0]).toMatchObject({ clusters: ['*'], svms: ['*'] });
  });
});
