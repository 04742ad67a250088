/**
 * The faults of faults.ts as a composition of the reference server (reference-server/server-composition.ts): what
 * a test hands to `GarouServer.start` for an in-process broken server, and what faulty-server.ts composes in.
 */
import type { ServerComposition } from '../../../reference-server/server-composition.js';
import { FaultInjector, type FaultName } from './faults.js';

/** A composition that installs `faults`; empty (the server as built) when there are none. */
export function faultComposition(faults: Iterable<FaultName>): ServerComposition {
  const injector = FaultInjector.create(new Set(faults));
  if (injector === null) return {};
  return {
    alpns: injector.alpns,
    decorateService: (service) => injector.installService(service),
    decorateConnection: (port, session, service) => injector.installConnection(port, session, service),
  };
}
