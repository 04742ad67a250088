/**
 * The event loop: one packet socket, connections routed by destination connection id,
 * one deadline queue for all quiche timers, and a batched flush (all packets of this
 * tick first, then each dirty connection's send loop once). Modelled on quiche's
 * examples/server.rs and client.rs. Datagrams for no known connection are the listener's
 * (server-admission.ts); outgoing datagrams leave through PacketOutput (packet-output.ts).
 */
import { isIP } from 'node:net';
import { quiche } from '@matrixai/quic/native/index.js';
import type { Config, RecvInfo } from '@matrixai/quic/native/index.js';
import { QuicConnection } from './connection.js';
import type { ConnectionOwner } from './connection.js';
import { newConnectionId } from './connection-ids.js';
import { DeadlineQueue } from './deadline-queue.js';
import { LOSS_TIMER_RETRY_MS, processLossTimerBudget } from './loss-timer-budget.js';
import { TransportError } from './errors.js';
import { resolveTransportOptions } from './options.js';
import type { ClientOptions, ResolvedTransportOptions, ServerOptions } from './options.js';
import { cidKey, destinationCidKey, isLongHeader } from './packet-header.js';
import type { HostPort, PacketIO } from './packet-io.js';
import { PacketOutput } from './packet-output.js';
import { buildClientConfig } from './quiche-config.js';
import { ServerAdmission } from './server-admission.js';
import { ShortHeaderRoutes } from './short-header-routes.js';
import { createUdpPacketIO } from './udp-packet-io.js';
import type { UdpBindOptions } from './udp-packet-io.js';

/** Packet and connection counters of an endpoint. */
export interface EndpointStats {
  packetsReceived: number;
  packetsSent: number;
  bytesReceived: number;
  bytesSent: number;
  /** Datagrams that were not QUIC, or for no known connection and not a new Initial. */
  packetsDropped: number;
  /** New connections refused because the server was at `maxConnections`. */
  connectionsRefused: number;
  /** Stateless Retry packets sent. */
  retriesSent: number;
  /** Version Negotiation packets sent. */
  versionNegotiationsSent: number;
}

/** Options for {@link QuicEndpoint.close}. */
export interface EndpointCloseOptions {
  /** Application error code sent to every peer. Default 0. */
  errorCode?: number;
  /** Reason sent to every peer. Default ''. */
  reason?: string;
  /** How long to wait for connections to finish closing (draining) before dropping them. Default 2000 ms. */
  timeoutMs?: number;
}

interface ClientConfig {
  config: Config;
  options: ResolvedTransportOptions;
}

/**
 * Packets one connection may send per flush before the loop yields to I/O. Without a cap
 * a large congestion window leaves as one burst that overflows the peer's socket buffer
 * (we do not pace), and one bulk sender would starve every other connection.
 */
const SEND_BURST = 32;
/**
 * Packets a closing connection may send per flush, and it is never continued at the next turn: enough for a
 * CONNECTION_CLOSE in every packet-number space (cutting the flight short lost the 1-RTT one a server can still
 * read, when the Handshake one came first). quiche answers every send call of a connection closed before its
 * handshake was confirmed with yet another CONNECTION_CLOSE, so a loop that sends until quiche has nothing left
 * never ended: one closed probe flooded the socket with ~30,000 packets a second until its draining timer ran out,
 * and the peer's receive buffer overflowed for every other connection (RFC 9000 §10.2.1: a closing endpoint
 * sends CONNECTION_CLOSE in response to incoming packets, and SHOULD limit the rate at which it does).
 */
const CLOSING_SEND_LIMIT = 4;
// In all, a closing connection sends at most QuicConnection.closingBudget() packets.
/** @internal libuv reads at most this many datagrams from a socket per loop turn. */
export const READ_BATCH = 32;
/**
 * @internal Loop turns a flush may wait while each turn reads a full READ_BATCH (more datagrams are then waiting
 * in the socket). Under load a flush thus handles up to 8 batches of what has already arrived: a receiver ACKs
 * each connection once for all of them, and a server fans out all the messages among them in the same packets.
 * At low load a turn reads less than a batch and the flush runs at once.
 */
export const MAX_EXTRA_POLLS = 7;
/** A queued timer armed this much (ms) or more before the earliest deadline is moved to it (DeadlineQueue.retarget). */
const TIMER_RETARGET_SLACK_MS = 2;

function defaultOnError(error: unknown): void {
  // A throwing callback is a bug in the caller: surface it as an uncaught exception, but
  // only after the loop has finished its bookkeeping for this tick.
  queueMicrotask(() => {
    throw error;
  });
}

/**
 * A QUIC endpoint: one socket that can accept connections (`listen`) and open them
 * (`connect`), any number of each, all multiplexed on the one socket.
 */
export class QuicEndpoint implements ConnectionOwner {
  /** A server connection completed its handshake: set its callbacks here. */
  onConnection: ((conn: QuicConnection) => void) | null = null;
  /** A user callback threw. Default: rethrown as an uncaught exception (after the loop's bookkeeping). */
  onError: (error: unknown) => void = defaultOnError;

  /** @internal Scratch memory for stream and datagram reads. */
  readonly readScratch = Buffer.allocUnsafeSlow(65535);

  private readonly byCid = new Map<string, QuicConnection>();
  /** The connections of byCid by their own id again, for short-header datagrams (short-header-routes.ts). */
  private readonly shortRoutes = new ShortHeaderRoutes<QuicConnection>();
  private readonly live = new Set<QuicConnection>();
  /**
   * The peer address and RecvInfo of the last client connect, shared by the next connects to the same peer: a load
   * worker's thousands of clients all connect to one server (~80 bytes per connection saved).
   */
  private lastClientRecvInfo: RecvInfo | null = null;
  private readonly timers = new DeadlineQueue<QuicConnection>(
    (conn) => this.expire(conn, performance.now()),
    () => this.flush(),
  );
  private readonly output: PacketOutput;
  private server: ServerAdmission | null = null;
  private defaultClientConfig: ClientConfig | null = null;
  private readonly clientConfigs = new WeakMap<ClientOptions, ClientConfig>();
  private dirty: QuicConnection[] = [];
  private spare: QuicConnection[] = [];
  private deferred: QuicConnection[] = [];
  private flushScheduled = false;
  /** Datagrams read since the last flush, or since it was last postponed. */
  private readSinceFlush = 0;
  /** Loop turns the pending flush has been postponed by. */
  private extraPolls = 0;
  private closing: Promise<void> | null = null;
  private onEmpty: (() => void) | null = null;
  private readonly counters: EndpointStats = {
    packetsReceived: 0,
    packetsSent: 0,
    bytesReceived: 0,
    bytesSent: 0,
    packetsDropped: 0,
    connectionsRefused: 0,
    retriesSent: 0,
    versionNegotiationsSent: 0,
  };

  /** Binds a UDP socket (default 127.0.0.1, any port) and starts the loop on it. */
  static async bind(options: UdpBindOptions = {}): Promise<QuicEndpoint> {
    return new QuicEndpoint(await createUdpPacketIO(options));
  }

  /** Starts the loop on any packet I/O (e.g. an in-memory network in tests). */
  constructor(private readonly io: PacketIO) {
    this.output = new PacketOutput(io, this.counters);
    io.start(this.onPacket);
  }

  /** The socket's address. */
  get localAddress(): HostPort {
    return this.io.localAddress;
  }

  /** Connections not yet freed (handshaking, established, or still closing/draining). */
  get connectionCount(): number {
    return this.live.size;
  }

  /** The connections counted by `connectionCount`. */
  connections(): IterableIterator<QuicConnection> {
    return this.live.values();
  }

  /** A snapshot of the packet counters. */
  stats(): EndpointStats {
    return { ...this.counters };
  }

  /** Datagrams that never left this endpoint's socket (see PacketIO.sendDrops); null when its IO does not count. */
  sendDrops(): number | null {
    return this.io.sendDrops?.() ?? null;
  }

  /** A short summary; keeps test failure diffs and logs from walking every connection. */
  toJSON(): { localAddress: HostPort; listening: boolean; connections: number } {
    return { localAddress: this.localAddress, listening: this.server !== null, connections: this.live.size };
  }

  /**
   * Starts accepting connections with this certificate and these knobs. Established
   * connections are announced on `onConnection`. Throws TLS_CONFIG / INVALID_ARGUMENT on
   * bad options, CONNECTION_STATE if already listening.
   */
  listen(options: ServerOptions): void {
    this.assertOpen('listen');
    if (this.server !== null) throw new TransportError('CONNECTION_STATE', 'listen', 'already listening');
    const server = new ServerAdmission(options, this.output, this.counters);
    this.output.ensureCapacity(server.options.maxUdpPayload);
    this.server = server;
  }

  /**
   * Starts a client connection to `host` (an IP literal) and `port`; the handshake goes out
   * on the next tick. Set the connection's callbacks right away. Reuse the same `options`
   * object across calls: its TLS context is built once per object.
   */
  connect(host: string, port: number, options?: ClientOptions): QuicConnection {
    this.assertOpen('connect');
    if (isIP(host) === 0) {
      throw new TransportError('INVALID_ARGUMENT', 'connect.host', `expected an IP literal, got "${host}"`);
    }
    if (!Number.isInteger(port) || port <= 0 || port > 65535) {
      throw new TransportError('INVALID_ARGUMENT', 'connect.port', `expected 1..65535, got ${port}`);
    }
    const client = this.clientConfigFor(options);
    const scid = newConnectionId();
    const recvInfo = this.clientRecvInfo(host, port);
    const native = quiche.Connection.connect(
      options?.serverName ?? null,
      scid,
      recvInfo.to,
      recvInfo.from,
      client.config,
    );
    const conn = new QuicConnection(this, native, 'client', cidKey(scid), recvInfo, client.options);
    this.byCid.set(conn.cidKey, conn);
    this.shortRoutes.add(conn);
    this.live.add(conn);
    this.markDirty(conn);
    return conn;
  }

  /** The RecvInfo of a client connection to host:port (shared with the previous connect's when it is the same). */
  private clientRecvInfo(host: string, port: number): RecvInfo {
    const last = this.lastClientRecvInfo;
    const local = this.localAddress;
    if (last !== null && last.from.host === host && last.from.port === port && last.to === local) return last;
    this.lastClientRecvInfo = { from: { host, port }, to: local };
    return this.lastClientRecvInfo;
  }

  /**
   * Stops accepting, closes every connection with `errorCode`/`reason`, waits for them to
   * finish closing (at most `timeoutMs`), then releases the socket. Idempotent.
   */
  close(options: EndpointCloseOptions = {}): Promise<void> {
    this.closing ??= this.shutdown(options);
    return this.closing;
  }

  /** @internal */
  markDirty(conn: QuicConnection): void {
    if (conn.dirty) return;
    conn.dirty = true;
    this.dirty.push(conn);
    // setImmediate runs after the poll phase: every datagram read in this tick is fed
    // to quiche before any connection sends, so ACKs and stream data batch up.
    this.scheduleFlush();
  }

  /** @internal */
  connectionEstablished(conn: QuicConnection): void {
    if (conn.aliasKey !== null) {
      // The client now uses our connection id; its original dcid is no longer needed.
      this.byCid.delete(conn.aliasKey);
      conn.aliasKey = null;
    }
    if (conn.side === 'server' && this.onConnection !== null) {
      try {
        this.onConnection(conn);
      } catch (err) {
        this.callbackFailed(err);
      }
    }
  }

  /** @internal */
  connectionClosed(conn: QuicConnection): void {
    // Draining connections no longer count against maxConnections.
    if (conn.side === 'server' && this.server !== null) this.server.connections--;
  }

  /** @internal */
  callbackFailed(error: unknown): void {
    this.onError(error);
  }

  private assertOpen(where: string): void {
    if (this.closing !== null) throw new TransportError('ENDPOINT_CLOSED', where, 'the endpoint is closed');
  }

  private clientConfigFor(options: ClientOptions | undefined): ClientConfig {
    let entry = options === undefined ? this.defaultClientConfig : this.clientConfigs.get(options);
    if (entry === undefined || entry === null) {
      const o = options ?? {};
      const resolved = resolveTransportOptions(o, 'connect');
      entry = { config: buildClientConfig(o, resolved), options: resolved };
      if (options === undefined) this.defaultClientConfig = entry;
      else this.clientConfigs.set(options, entry);
      this.output.ensureCapacity(resolved.maxUdpPayload);
    }
    return entry;
  }

  private readonly onPacket = (data: Buffer, host: string, port: number): void => {
    const counters = this.counters;
    counters.packetsReceived++;
    this.readSinceFlush++;
    counters.bytesReceived += data.length;
    // Short-header datagrams (all traffic after the handshake) first try the integer-keyed index (see
    // short-header-routes.ts); what it does not know goes the way of every other datagram.
    if (((data[0] as number) & 0x80) === 0) {
      const known = this.shortRoutes.find(data);
      if (known !== undefined) {
        known.receive(data, host, port);
        return;
      }
    }
    const key = destinationCidKey(data);
    if (key === null) {
      counters.packetsDropped++;
      return;
    }
    const conn = this.byCid.get(key);
    if (conn !== undefined) {
      conn.receive(data, host, port);
    } else if (this.server !== null && isLongHeader(data)) {
      this.acceptInitial(this.server, data, key, host, port);
    } else {
      // Short-header packets for unknown connections get no stateless reset: dropping
      // them allocates nothing.
      counters.packetsDropped++;
    }
  };

  /** A long-header packet for no known connection: maybe a new client. */
  private acceptInitial(
    server: ServerAdmission,
    data: Buffer,
    key: string,
    host: string,
    port: number,
  ): void {
    const admitted = server.admit(data, host, port, this.localAddress);
    if (admitted === null) return;
    const conn = new QuicConnection(
      this,
      admitted.native,
      'server',
      cidKey(admitted.scid),
      { from: admitted.remote, to: this.localAddress },
      server.options,
    );
    this.byCid.set(conn.cidKey, conn);
    this.shortRoutes.add(conn);
    if (!admitted.retried) {
      // Until it hears from us the client keeps addressing its own random dcid: route
      // retransmitted Initials there too.
      this.byCid.set(key, conn);
      conn.aliasKey = key;
    }
    this.live.add(conn);
    server.connections++;
    conn.receive(data, host, port);
  }

  private readonly flush = (): void => {
    if (this.readSinceFlush >= READ_BATCH && this.extraPolls < MAX_EXTRA_POLLS) {
      // The last poll read a full batch, so more datagrams are probably waiting: read them first (the next turn
      // polls without blocking), so that their ACKs and stream data leave in this flush's packets.
      this.readSinceFlush = 0;
      this.extraPolls++;
      this.scheduleFlush();
      return;
    }
    this.readSinceFlush = 0;
    this.extraPolls = 0;
    while (this.dirty.length > 0) {
      const batch = this.dirty;
      this.dirty = this.spare;
      this.spare = batch;
      // Deliver everything that arrived before sending anything: callbacks may write to
      // other connections of the batch, and those writes then leave in the same packets.
      for (let i = 0; i < batch.length; i++) {
        const conn = batch[i] as QuicConnection;
        if (conn.received) conn.processIncoming();
      }
      const now = performance.now();
      for (let i = 0; i < batch.length; i++) {
        const conn = batch[i] as QuicConnection;
        conn.dirty = false;
        const holdUntil = conn.holdUntil(now);
        if (holdUntil > 0) {
          // At most an acknowledgement is owed: it waits for data to ride with (see SendTiming). A stop found by
          // the probe asks for the send loop again (the connection is then dirty in the next batch).
          conn.probeStops(now);
          this.scheduleTimer(conn, holdUntil);
          continue;
        }
        this.transmit(conn, now);
      }
      batch.length = 0;
    }
    if (this.deferred.length > 0) {
      // Connections cut short by SEND_BURST continue after the next I/O poll.
      const next = this.deferred;
      this.deferred = this.dirty;
      this.dirty = next;
      this.scheduleFlush();
    }
    // An acknowledgement that cancelled a loss timer moves that connection's deadline later, but the queue's
    // timer stays armed for the old one; at low load most timer wake-ups were such empty ones (one per message
    // of a fan-out, a quarter of all wake-ups at 1k deliveries/s). Once per flush, move the timer.
    this.timers.retarget(TIMER_RETARGET_SLACK_MS);
  };

  /** Runs the flush after the next I/O poll (once, however often asked). */
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(this.flushSoon);
  }

  private readonly flushSoon = (): void => {
    this.flushScheduled = false;
    this.flush();
  };

  private transmit(conn: QuicConnection, now: number): void {
    if (conn.state === 'closed') return;
    conn.beforeTransmit();
    const native = conn.native;
    const closing = conn.state === 'closing';
    const limit = closing ? Math.min(CLOSING_SEND_LIMIT, conn.closingBudget()) : SEND_BURST;
    const sentBefore = this.counters.packetsSent;
    this.output.sendFailed = false;
    conn.timing.transmitted();
    if (conn.hasQueuedStops && !closing) {
      // What is owed (the ACK of a stream's bytes) leaves first, STOP_SENDING in the packets after it.
      this.output.sendAll(native, SEND_BURST);
      conn.applyQueuedStops();
    }
    const cutShort = limit > 0 && this.output.sendAll(native, limit);
    const sent = this.counters.packetsSent - sentBefore;
    if (closing) conn.spendClosingBudget(sent);
    else {
      if (cutShort) {
        conn.dirty = true;
        conn.timing.localWork();
        this.deferred.push(conn);
      }
      conn.afterSendLoop(sent, now);
    }
    const timeout = native.timeout();
    // A send that threw proves nothing about closure: counted as no packet sent.
    if (conn.afterTransmit(this.output.sendFailed ? 0 : sent, timeout === null)) {
      this.forget(conn);
      return;
    }
    // The binding truncates to whole ms; +1 keeps us from waking just before quiche's deadline.
    conn.quicheDeadline = timeout === null ? Infinity : now + timeout + 1;
    this.scheduleTimer(conn, Infinity);
  }

  /** A connection's deadline passed; a loss timer over the process's budget waits (loss-timer-budget.ts). */
  private expire(conn: QuicConnection, now: number): void {
    if (
      processLossTimerBudget !== null &&
      conn.state === 'established' &&
      now >= conn.quicheDeadline &&
      !processLossTimerBudget.take(now)
    ) {
      this.timers.schedule(conn, now + LOSS_TIMER_RETRY_MS);
      return;
    }
    conn.expire(now);
  }

  /** Arms the connection's timer for its earliest deadline: quiche's, the probe's, the handshake's, or `holdUntil`. */
  private scheduleTimer(conn: QuicConnection, holdUntil: number): void {
    let deadline = Math.min(conn.quicheDeadline, conn.nextProbeAt(), holdUntil);
    if (conn.state === 'handshaking' && conn.handshakeDeadline < deadline) deadline = conn.handshakeDeadline;
    if (deadline === Infinity) this.timers.cancel(conn);
    else this.timers.schedule(conn, deadline);
  }

  private forget(conn: QuicConnection): void {
    this.timers.cancel(conn);
    if (this.byCid.get(conn.cidKey) === conn) this.byCid.delete(conn.cidKey);
    this.shortRoutes.remove(conn);
    if (conn.aliasKey !== null && this.byCid.get(conn.aliasKey) === conn) this.byCid.delete(conn.aliasKey);
    this.live.delete(conn);
    if (this.live.size === 0 && this.onEmpty !== null) this.onEmpty();
  }

  private async shutdown(options: EndpointCloseOptions): Promise<void> {
    this.server = null;
    for (const conn of this.live) conn.close(options.errorCode ?? 0, options.reason ?? '');
    if (this.live.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, options.timeoutMs ?? 2000);
        this.onEmpty = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    this.onEmpty = null;
    for (const conn of [...this.live]) {
      conn.abandon();
      this.forget(conn);
    }
    this.timers.clear();
    await this.io.close();
  }
}
