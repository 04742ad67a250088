/**
 * The connect ramp of one load worker: client i of the whole run connects at start + i / connect_rate, so
 * the fleet's connects are spread evenly however the clients are divided between workers.
 */
import { epochNowMs } from '../metrics/clock.js';

/** Connects a worker's own clients, in index order, each when its slot in the ramp has come. */
export class ConnectRamp {
  private cursor = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    /** The worker's client indexes, ascending. */
    private readonly clients: readonly number[],
    private readonly startMs: number,
    private readonly connectRate: number,
    private readonly connect: (index: number) => void,
  ) {}

  /** Connects every client whose time has come and sleeps until the next one's. */
  readonly advance = (): void => {
    this.timer = null;
    if (this.stopped) return;
    const gapMs = 1000 / this.connectRate;
    const now = epochNowMs();
    while (this.cursor < this.clients.length) {
      const index = this.clients[this.cursor] as number;
      const at = this.startMs + index * gapMs;
      if (at > now) {
        this.timer = setTimeout(this.advance, Math.ceil(at - now));
        return;
      }
      this.cursor++;
      this.connect(index);
    }
  };

  /** Connects no more clients. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
