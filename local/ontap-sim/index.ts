/** The embedded ONTAP simulator: a stand-in for a 9.17 cluster's REST API on loopback. */
export { startOntapSimulator, type OntapSimulator, type SimulatorOptions, type SimCall } from './server';
export { FakeClock, scaledClock, systemClock, type SimClock } from './clock';
export { FaultInjector, type FaultSpec, type FaultSpecInput, type FaultAction } from './faults';
export { exampleFixture, loadFixture, parseFixture, FixtureSchema, type Fixture, type FixtureInput } from './fixture';
export { SimState, type JitUserState, type JitState } from './state';
export { OntapSimError, SimFixtureError } from './errors';
