/**
 * The receipts a load worker's clients send for the messages delivered to them (actions.receipts). Which
 * deliveries get a receipt is drawn from the scenario's seed, so the same deliveries get receipts in every run.
 */
import type { SimClient } from '../client/sim-client.js';
import { epochNowMs } from '../metrics/clock.js';
import { hashUnit } from '../scenario/rng.js';
import type { ReceiptOptions, Scenario } from '../scenario/types.js';
import { u64ToNumber, type PeekedRoomMessage } from '../../spec/index.js';
import type { PendingRecorder } from './pending-recorder.js';
import type { TimerQueue } from './timer-queue.js';
import { receiptSeed } from './traffic-plan.js';

/** Answers deliveries with MessageDelivered and MessageRead as the scenario's receipt options ask. */
export class DeliveryReceipts {
  private readonly seed: number;

  private constructor(
    private readonly options: ReceiptOptions,
    scenarioSeed: number,
    private readonly rec: PendingRecorder,
    private readonly timers: TimerQueue,
  ) {
    this.seed = receiptSeed(scenarioSeed);
  }

  /** The receipts of a scenario, or null when it sends none (then a delivery costs one branch more). */
  static forScenario(scenario: Scenario, rec: PendingRecorder, timers: TimerQueue): DeliveryReceipts | null {
    const options = scenario.actions.receipts;
    if (options.delivered <= 0 && options.read <= 0) return null;
    return new DeliveryReceipts(options, scenario.seed, rec, timers);
  }

  /**
   * Answers a delivery: one number u drawn from (seed, recipient, message id); MessageDelivered now if
   * u < delivered, MessageRead after read_delay if u < read. Receipts count only when written (a dropped client
   * writes none).
   */
  answer(client: SimClient, message: PeekedRoomMessage, receivedAtMs: number): void {
    const options = this.options;
    const u = hashUnit(this.seed, client.index, u64ToNumber(message.message_id));
    if (u < options.delivered && client.sendDelivered(message.message_id, message.room_id, receivedAtMs)) {
      this.rec.count('receipts_delivered', receivedAtMs);
    }
    if (u < options.read) {
      const messageId = message.message_id;
      const roomId = message.room_id;
      this.timers.at(receivedAtMs + options.readDelayMs, () => {
        const at = epochNowMs();
        if (client.sendRead(messageId, roomId, at)) this.rec.count('receipts_read', at);
      });
    }
  }
}
