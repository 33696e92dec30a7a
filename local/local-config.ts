/**
 * The configuration as the local stack runs it: a cluster without `endpoint` (or with the older
 * `endpoint: embedded`) is served by the ONTAP simulator, its URL and CA filled in here, so the
 * product reads the simulator the way it reads a real cluster.
 */
import { parseDocument } from 'yaml';
import { ConfigError } from '../lambdas/config/errors';
import { DEFAULT_CONFIG_PATH, parseConfig, readConfigText } from '../lambdas/config/load';
import type { Config } from '../lambdas/config/schema';

/** The word older configurations used for "the local simulator". */
const SIMULATOR_WORD = 'embedded';

/** Where a simulator serves (its URL, and its CA when it serves HTTPS). */
export interface SimulatorAddress {
  readonly url: string;
  readonly caPem?: string;
}

/** Validates configuration data, reading a cluster's `endpoint: embedded` as "no endpoint" (the simulator's). */
export function parseLocalConfig(data: unknown): Config {
  if (typeof data !== 'object' || data === null || !Array.isArray((data as { clusters?: unknown }).clusters)) {
    return parseConfig(data);
  }
  const clusters = (data as { clusters: unknown[] }).clusters.map((cluster) => {
    if (typeof cluster !== 'object' || cluster === null) return cluster;
    const { endpoint, ...rest } = cluster as Record<string, unknown>;
    return endpoint === SIMULATOR_WORD ? rest : cluster;
  });
  return parseConfig({ ...data, clusters });
}

/** Loads the configuration file at `path` (default: the shipped example) for the local stack. */
export function loadLocalConfig(path: string = DEFAULT_CONFIG_PATH): Config {
  const document = parseDocument(readConfigText(path), { prettyErrors: true, uniqueKeys: true });
  const problem = document.errors[0];
  if (problem) throw new ConfigError('', `${path} is not valid YAML: ${problem.message}`, { cause: problem });
  return parseLocalConfig(document.toJS());
}

/** The names of the clusters the simulator is to serve: those without an endpoint. */
export function simulatedClusters(config: Config): string[] {
  return config.clusters.filter((c) => c.endpoint === undefined).map((c) => c.name);
}

/** `config` with every cluster without an endpoint pointed at the simulator. */
export function withSimulator(config: Config, simulator: SimulatorAddress): Config {
  return {
    ...config,
    clusters: config.clusters.map((cluster) =>
      cluster.endpoint !== undefined
        ? cluster
        : {
            ...cluster,
            endpoint: simulator.url,
            ...(simulator.caPem && !cluster.caCertificate ? { caCertificate: simulator.caPem } : {}),
          },
    ),
  };
}
