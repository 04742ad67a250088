/**
 * The connect ramp of one load worker: client i of the whole run connects at start + i / connect_rate, so
 * the fleet's connects are spread evenly however the clients are divided between workers. With a bound on
 * connects in flight (clients.max_connecting), a client whose time has come also waits for a free place: the
 * asked rate is then an upper bound, and a target slower than it gets a steady stream of handshakes instead
 * of a pile that times out (each timed-out handshake also costs the target retransmissions it did not need).
 */
import { epochNowMs } from '../metrics/clock.js';

/** Connects a worker's own clients, in index order, each when its slot in the ramp has come. */
export class ConnectRamp {
  private cursor = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** Clients whose first connect the ramp started and that have not settled (`settled`). */
  private readonly inFlight = new Set<number>();
  /** advance() is running: a connect that settles synchronously must not start a second loop inside it. */
  private advancing = false;

  constructor(
    /** The worker's client indexes, ascending. */
    private readonly clients: readonly number[],
    private readonly startMs: number,
    private readonly connectRate: number,
    private readonly connect: (index: number) => void,
    /** Most first connects in flight in this worker; Infinity = no bound. */
    private readonly maxInFlight = Infinity,
  ) {}

  /** Connects every client whose time has come (while places are free) and sleeps until the next one's. */
  readonly advance = (): void => {
    if (this.advancing) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.stopped) return;
    this.advancing = true;
    try {
      this.startDue();
    } finally {
      this.advancing = false;
    }
  };

  private startDue(): void {
    const gapMs = 1000 / this.connectRate;
    const now = epochNowMs();
    while (this.cursor < this.clients.length && this.inFlight.size < this.maxInFlight) {
      const index = this.clients[this.cursor] as number;
      const at = this.startMs + index * gapMs;
      if (at > now) {
        this.timer = setTimeout(this.advance, Math.ceil(at - now));
        return;
      }
      this.cursor++;
      this.inFlight.add(index);
      this.connect(index);
    }
  }

  /**
   * Client `index`'s connect ended (AuthOk or failure). If it was a first connect started by the ramp, its place
   * is free, and with a bound the ramp goes on at once when a client was waiting for one. Reconnects are ignored.
   */
  settled(index: number): void {
    if (!this.inFlight.delete(index)) return;
    if (this.maxInFlight !== Infinity && this.timer === null && !this.stopped) this.advance();
  }

  /** Connects no more clients. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
