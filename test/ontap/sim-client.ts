/** Builds an OntapClient aimed at a simulator, with injected sleep and jitter so no test waits for backoff. */
import { OntapClient, type OntapClientOptions, type OntapLogEvent } from '../../lambdas/ontap';
import type { OntapSimulator } from '../../local/ontap-sim';

/** A client plus what it slept and logged. */
export interface TestClient {
  client: OntapClient;
  sleeps: number[];
  events: OntapLogEvent[];
}

/** A client trusting the simulator's CA, logging in as its writer, sleeping instantly. */
export function clientFor(sim: OntapSimulator, overrides: Partial<OntapClientOptions> = {}): TestClient {
  const sleeps: number[] = [];
  const events: OntapLogEvent[] = [];
  const client = new OntapClient({
    endpoint: sim.url,
    username: sim.credentials.username,
    password: sim.credentials.password,
    ...(sim.caPem ? { ca: sim.caPem } : {}),
    timeoutMs: 2000,
    retry: { attempts: 4, baseDelayMs: 100, maxDelayMs: 1000 },
    jobPolling: { intervalMs: 500, maxPolls: 5 },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    logger: (e) => events.push(e),
    ...overrides,
  });
  return { client, sleeps, events };
}
