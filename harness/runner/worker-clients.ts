/**
 * The clients of one load worker, built at setup: the client sockets they share, one SimClient per owned
 * client index (named by the scenario's username pattern), and their tokens when the scenario authenticates
 * with tokens.
 */
import type { RoomPlan } from '../scenario/membership.js';
import type { Scenario } from '../scenario/types.js';
import { formatUsername } from '../scenario/username.js';
import { issueJwt } from '../../reference-server/token-verifier.js';
import type { ClientOptions } from '../../transport/index.js';
import type { ClientEvents } from '../client/client-events.js';
import { HoldTimer } from '../client/hold-timer.js';
import { SimClient, type ClientContext } from '../client/sim-client.js';
import { ClientSockets } from './client-sockets.js';
import { ClientSlot } from './client-slot.js';
import { workerOwnsClient } from './segment.js';
import type { WorkerSetup } from './worker-protocol.js';

/** A worker's clients and what they share. */
export interface WorkerClients {
  readonly sockets: ClientSockets;
  readonly holdTimer: HoldTimer;
  /** The worker's client indexes, ascending. */
  readonly owned: number[];
  /** Slots by client index (undefined for the clients of other workers). */
  readonly slots: (ClientSlot | undefined)[];
}

/** Binds the client sockets and creates a slot with a SimClient for every client this worker owns. */
export async function createWorkerClients(
  setup: WorkerSetup,
  scenario: Scenario,
  plan: RoomPlan,
  events: ClientEvents<SimClient>,
  onSocketError: (error: unknown) => void,
): Promise<WorkerClients> {
  const owned: number[] = [];
  for (let i = 0; i < scenario.clients.count; i++) {
    if (workerOwnsClient(setup.segment, setup.workerIndex, setup.workerCount, i)) owned.push(i);
  }
  const sockets = await ClientSockets.bind(bindAddressFor(setup.host), owned.length);
  for (const endpoint of sockets.endpoints) endpoint.onError = onSocketError;
  const tls: ClientOptions = {
    insecure: setup.tls.insecure,
    handshakeTimeoutMs: setup.connectTimeoutMs,
    // The server grants what the protocol needs; we grant it shard + hot streams and then some.
    maxStreamsUni: 100,
    maxStreamsBidi: 0,
    // Ack at once, as the original client's quiche does: a simulated client receives ~10x more than it sends, so
    // an ACK held back for data to ride with (the transport's default, made for the server's fan-out) almost
    // always left alone after the delay anyway, and the hold cost a timer per delivery (-10% harness CPU per
    // delivery in the 20k-client scale run, deliver p99 down too).
    ackDelayMs: 0,
  };
  if (setup.tls.caPem !== undefined) tls.ca = setup.tls.caPem;
  if (setup.tls.serverName !== undefined) tls.serverName = setup.tls.serverName;
  const holdTimer = new HoldTimer();
  // One context per socket: the clients of a socket share it (ClientSockets.socketOf spreads them).
  const contexts: ClientContext[] = sockets.endpoints.map((endpoint) => ({
    endpoint,
    events,
    tls,
    holdTimer,
    switchHoldMs: setup.switchHoldMs,
  }));
  const slots: (ClientSlot | undefined)[] = [];
  for (const [position, i] of owned.entries()) {
    const context = contexts[sockets.socketOf(position)] as ClientContext;
    const client = new SimClient(i, formatUsername(scenario.clients.usernamePattern, i), context);
    slots[i] = new ClientSlot(client, plan.roomsOfClient[i] ?? []);
  }
  return { sockets, holdTimer, owned, slots };
}

/**
 * Issues one token per client when the scenario authenticates with tokens; before connecting, because
 * signing is asynchronous, and reused on reconnects.
 */
export async function issueClientTokens(scenario: Scenario, clients: WorkerClients): Promise<void> {
  const auth = scenario.clients.auth;
  if (auth?.method !== 'token') return;
  await Promise.all(
    clients.owned.map(async (i) => {
      const client = (clients.slots[i] as ClientSlot).client;
      client.authToken = await issueJwt(auth.secret, client.username, {
        ttlSeconds: Math.ceil(auth.ttlMs / 1000),
        ...(auth.audience === null ? {} : { audience: auth.audience }),
        ...(auth.issuer === null ? {} : { issuer: auth.issuer }),
      });
    }),
  );
}

/** The local address to bind for a target: loopback for a loopback target, any address otherwise. */
function bindAddressFor(host: string): string {
  const loopback = host === '::1' || host.startsWith('127.');
  if (host.includes(':')) return loopback ? '::1' : '::';
  return loopback ? '127.0.0.1' : '0.0.0.0';
}
