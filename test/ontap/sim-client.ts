/** Builds ONTAP clients and sessions aimed at a simulator, with injected sleep and jitter so no test waits for backoff. */
import { OntapClient, type OntapClientOptions, type OntapLogEvent } from '../../lambdas/ontap';
import { OntapSession } from '../../lambdas/ontap/session';
import type { OntapSimulator } from '../../local/ontap-sim';

/** A client plus what it slept and logged. */
export interface TestClient {
  client: OntapClient;
  sleeps: number[];
  events: OntapLogEvent[];
}

/** A bare session plus what it slept and logged, for the modules the client is built from. */
export interface TestSession {
  session: OntapSession;
  sleeps: number[];
  events: OntapLogEvent[];
}

function optionsFor(
  sim: OntapSimulator,
  sleeps: number[],
  events: OntapLogEvent[],
  overrides: Partial<OntapClientOptions>,
): OntapClientOptions {
  return {
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
  };
}

/** A client trusting the simulator's CA, logging in as its writer, sleeping instantly. */
export function clientFor(sim: OntapSimulator, overrides: Partial<OntapClientOptions> = {}): TestClient {
  const sleeps: number[] = [];
  const events: OntapLogEvent[] = [];
  return { client: new OntapClient(optionsFor(sim, sleeps, events, overrides)), sleeps, events };
}

/** A session with the same options as `clientFor`. */
export function sessionFor(sim: OntapSimulator, overrides: Partial<OntapClientOptions> = {}): TestSession {
  const sleeps: number[] = [];
  const events: OntapLogEvent[] = [];
  return { session: new OntapSession(optionsFor(sim, sleeps, events, overrides)), sleeps, events };
}
