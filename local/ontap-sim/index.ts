/** The embedded ONTAP simulator: a stand-in for a 9.17 cluster's REST API on loopback. */

export { FakeClock, type SimClock, scaledClock, systemClock } from './clock';
export { OntapSimError, SimFixtureError } from './errors';
export { type FaultAction, FaultInjector, type FaultSpec, type FaultSpecInput } from './faults';
export { exampleFixture, type Fixture, type FixtureInput, FixtureSchema, loadFixture, parseFixture } from './fixture';
export { type OntapSimulator, type SimCall, type SimulatorOptions, startOntapSimulator } from './server';
export { type JitState, type JitUserState, SimState } from './state';
