/**
 * The local stack's reading of the configuration: a cluster without an endpoint (or with the older
 * `endpoint: embedded`) is the simulator's, filled in before the product sees the configuration.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../lambdas/config/errors';
import { DEFAULT_CONFIG_PATH } from '../../lambdas/config/load';
import { loadLocalConfig, parseLocalConfig, simulatedClusters, withSimulator } from '../../local/local-config';
import { type LocalStack, startLocalStack } from '../../local/stack';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const OWN_PEM = '-----BEGIN CERTIFICATE-----\nOWN\n-----END CERTIFICATE-----\n';
const base = {
  slack: { approvalChannel: 'C0APPROVALS', accounts: { map: { U0ALICE: 'alice' } } },
  policies: [
    {
      name: 'p',
      clusters: ['sim', 'old', 'real'],
      svms: ['svm1'],
      roles: ['vsadmin'],
      requesters: 'anyone',
      approvers: { users: ['U0BOB'] },
      defaultDuration: '1h',
      maxDuration: '2h',
      approvalTimeout: '30m',
    },
  ],
};
const data = {
  ...base,
  clusters: [
    { name: 'sim' },
    { name: 'old', endpoint: 'embedded', caCertificate: OWN_PEM },
    { name: 'real', endpoint: 'https://cluster1-mgmt.example.com' },
  ],
};

describe('the local configuration', () => {
  it('reads `embedded` as no endpoint, and lists the clusters the simulator serves', () => {
    const config = parseLocalConfig(data);
    expect(config.clusters.map((c) => c.endpoint)).toEqual([undefined, undefined, 'https://cluster1-mgmt.example.com']);
    expect(simulatedClusters(config)).toEqual(['sim', 'old']);
  });

  it('points those clusters at the simulator (its CA unless the cluster names its own), and leaves the others', () => {
    const config = withSimulator(parseLocalConfig(data), { url: 'https://127.0.0.1:9443', caPem: PEM });
    expect(config.clusters).toEqual([
      expect.objectContaining({ name: 'sim', endpoint: 'https://127.0.0.1:9443', caCertificate: PEM }),
      expect.objectContaining({ name: 'old', endpoint: 'https://127.0.0.1:9443', caCertificate: OWN_PEM }),
      expect.objectContaining({ name: 'real', endpoint: 'https://cluster1-mgmt.example.com' }),
    ]);
    expect(config.clusters[2]?.caCertificate).toBeUndefined();
    expect(simulatedClusters(config)).toEqual([]);
  });

  it('still refuses what the product refuses, naming the field', () => {
    const bad = { ...base, clusters: [{ name: 'sim', endpoint: 'http://cluster1-mgmt.example.com' }] };
    expect(() => parseLocalConfig(bad)).toThrow(/^Invalid configuration at clusters\[0\]\.endpoint: must use https/);
  });

  it('loads the shipped example, and refuses a file that is not YAML with the file named', () => {
    expect(simulatedClusters(loadLocalConfig(DEFAULT_CONFIG_PATH))).toEqual(['cluster1']);
    const file = join(mkdtempSync(join(tmpdir(), 'jit-local-config-')), 'bad.yaml');
    writeFileSync(file, 'clusters: [\n');
    expect(() => loadLocalConfig(file)).toThrow(ConfigError);
    expect(() => loadLocalConfig(file)).toThrow(`${file} is not valid YAML`);
  });
});

describe('a local stack on a configuration that says `endpoint: embedded`', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'jit-local-config-')), 'old.json');
    const old = {
      ...base,
      policies: [{ ...base.policies[0], clusters: ['cluster1'] }],
      clusters: [
        { name: 'cluster1', endpoint: 'embedded', credentials: { usernameEnv: 'C1_USER', passwordEnv: 'C1_PASS' } },
      ],
    };
    writeFileSync(file, JSON.stringify(old));
    stack = await startLocalStack({ port: 0, reconciler: false, configPath: file, env: {} });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('serves the cluster from the simulator, reached by the tasks like a real cluster', async () => {
    const url = stack.simulator?.url;
    expect(url).toBeDefined();
    expect(stack.urls.ontap).toEqual({ cluster1: url });
    expect(stack.runtime.config.clusters[0]?.endpoint).toBe(url);
    const client = await stack.runtime.ontap('cluster1');
    expect(await client.resolveSvm('svm1')).toMatchObject({ name: 'svm1' });
  });
});
