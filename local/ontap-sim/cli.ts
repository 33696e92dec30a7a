/**
 * Runs the ONTAP simulator standalone:
 *   npx tsx local/ontap-sim/cli.ts [--port 8443] [--host 127.0.0.1] [--http]
 *     [--fixture path.json] [--time-scale 60] [--ca-out ca.pem]
 * Prints the URL, the API credentials it accepts and where the CA is.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { scaledClock, systemClock } from './clock';
import { startOntapSimulator } from './server';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      http: { type: 'boolean', default: false },
      fixture: { type: 'string' },
      'time-scale': { type: 'string' },
      'ca-out': { type: 'string' },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be 0..65535, got ${values.port}`);
  const scale = values['time-scale'] === undefined ? undefined : Number(values['time-scale']);
  if (scale !== undefined && !(scale > 0)) throw new Error('--time-scale must be a positive number');

  const sim = await startOntapSimulator({
    port,
    host: values.host,
    https: !values.http,
    ...(values.fixture !== undefined ? { fixture: values.fixture } : {}),
    clock: scale === undefined ? systemClock : scaledClock(scale),
  });
  const lines = [
    `ONTAP simulator listening on ${sim.url}`,
    `  API user: ${sim.credentials.username} / ${sim.credentials.password}`,
  ];
  if (sim.readonlyCredentials)
    lines.push(`  read-only API user: ${sim.readonlyCredentials.username} / ${sim.readonlyCredentials.password}`);
  if (sim.caPem) {
    if (values['ca-out']) {
      writeFileSync(values['ca-out'], sim.caPem);
      lines.push(`  CA certificate written to ${values['ca-out']}`);
    } else {
      lines.push(`  CA certificate: GET ${sim.url}/__sim/ca (or pass --ca-out ca.pem)`);
    }
  }
  if (scale !== undefined) lines.push(`  clock runs ${scale}x faster than real time`);
  lines.push(`  admin API: ${sim.url}/__sim/{state,calls,faults,reset,jit-users,elevate}`);
  console.log(lines.join('\n'));

  const stop = (): void => {
    void sim.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
