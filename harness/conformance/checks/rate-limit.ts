/**
 * The per-connection chat-command rate limit (PROTOCOL.md 8/rate-limit, 12/throttle, 14/rate-limited): a burst of
 * commands beyond the bucket gets Error 1006 followed by Throttle{room_id null, delay_ms >= 1}, and commands are
 * accepted again once the delay has passed.
 *
 * A client cannot set the server's limit, so the check bursts past the spec's default (burst 2000, 1000/s). The
 * burst is made of commands that need no answer (re-adding an existing reaction changes nothing and sends nothing,
 * 8/react-add), so only the refusals come back. A server whose configured limit is higher, or off (rate 0 is
 * allowed), sends no 1006: the check is then skipped, not passed.
 */
import { ERROR_CODES, encodeFrame, type PayloadOf } from '../../../spec/index.js';
import { ensure, fail, skip, type ConformanceCheck } from '../check.js';
import { describeReceived, type ReceivedFrame } from '../probe-connection.js';
import { sameId } from './fates.js';

/** Commands in the burst: the default bucket (2000) plus what it refills while the burst arrives, with margin. */
const BURST_COMMANDS = 3500;

/** Longest Throttle delay the check waits out before showing that commands are accepted again, ms. */
const MAX_WAITED_DELAY_MS = 2000;

export const RATE_LIMIT_CHECKS: readonly ConformanceCheck[] = [
  {
    id: '8/rate-limit',
    title:
      'A burst of chat commands beyond the per-connection limit: Error 1006, then Throttle{room_id null, delay_ms >= 1}',
    rules: ['8/rate-limit', '14/rate-limited', '12/throttle', '4.2/chat-semantics'],
    async run(ctx) {
      const [roomId, probe] = await ctx.loginToRoom('throttled');
      const sent = await ctx.sendMessage(probe, roomId, 'react to me, many times');
      const reaction = { message_id: sent.ack.message_id, emoji: '🔁' };
      probe.command('AddReaction', reaction);
      await probe.expectFrame('any', 'RoomReactionAdded', {
        timeoutMs: ctx.timeoutMs,
        what: `RoomReactionAdded for the reaction the burst repeats (message ${sent.ack.message_id})`,
        match: (p) => sameId(p.message_id, sent.ack.message_id),
      });
      const frame = encodeFrame('AddReaction', reaction);
      const burst = new Uint8Array(frame.length * BURST_COMMANDS);
      for (let i = 0; i < BURST_COMMANDS; i++) burst.set(frame, i * frame.length);
      const after = probe.mark;
      probe.write(probe.chatStream(), burst);

      const errors = (): ReceivedFrame[] => probe.find('control', 'Error', (_p, item) => item.seq >= after);
      const refusals = (): ReceivedFrame[] =>
        probe.find('control', 'Error', (p, item) => item.seq >= after && p.code === ERROR_CODES.RATE_LIMITED);
      const first = await probe
        .until(() => errors()[0], { timeoutMs: ctx.timeoutMs, expected: 'Error 1006 for the burst' })
        .catch(() => undefined);
      if (first === undefined)
        skip(
          `no Error 1006 after ${BURST_COMMANDS} chat commands in one write: the server's limit is above the spec's default or off (8/rate-limit allows rate 0)`,
        );
      const error = first.frame!.payload as PayloadOf<'Error'>;
      ensure(
        error.code === ERROR_CODES.RATE_LIMITED,
        'Error{code 1006} for the commands beyond the limit (re-adding an existing reaction is otherwise silent)',
        describeReceived(first),
      );
      if (!(error.context ?? '').startsWith('AddReaction'))
        ctx.warn(
          `Error context is ${JSON.stringify(error.context)}; expected it to start with "AddReaction" (8/rate-limit)`,
        );

      const throttle = await probe.until(
        () => probe.find('control', 'Throttle', (_p, item) => item.seq > first.seq)[0],
        {
          timeoutMs: ctx.timeoutMs,
          expected: 'Throttle on the control stream after Error 1006',
          actual: () => `${refusals().length} Error 1006 frames and no Throttle; ${probe.describe()}`,
        },
      );
      const payload = throttle.frame!.payload as PayloadOf<'Throttle'>;
      ensure(
        payload.room_id === null && payload.delay_ms >= 1,
        'Throttle{room_id null, delay_ms >= 1} (a per-connection limit concerns every room)',
        describeReceived(throttle),
      );

      // The burst is over once the control stream has been quiet for the settle time.
      let count = -1;
      let changedAt = performance.now();
      await probe
        .until(
          () => {
            const now = performance.now();
            if (probe.on('control').length !== count) {
              count = probe.on('control').length;
              changedAt = now;
            }
            return now - changedAt >= ctx.settleMs;
          },
          { timeoutMs: ctx.timeoutMs, expected: 'the refusals of the burst to end' },
        )
        .catch(() => undefined);
      const throttles = probe.payloads('control', 'Throttle');
      ensure(
        throttles.length === refusals().length,
        'one Throttle after each Error 1006 (every refused command gets both)',
        `${refusals().length} Error 1006 frames, ${throttles.length} Throttle frames`,
      );
      // Commands are accepted again once the last Throttle's delay has passed (counted from the quiet start).
      const delay = Math.max(...throttles.map((t) => t.delay_ms));
      if (delay > MAX_WAITED_DELAY_MS) {
        ctx.warn(`Throttle.delay_ms ${delay} is longer than this check waits; recovery not checked`);
        return;
      }
      await ctx.sleep(delay);
      const marker = probe.mark;
      const nonce = ctx.nonce('after-throttle');
      probe.command('SendMessage', {
        room_id: roomId,
        content: 'again',
        nonce,
        reply_to: null,
        attachments: [],
      });
      const answer = await probe.until(
        () =>
          probe
            .on('control')
            .find(
              (f) =>
                f.seq >= marker &&
                ((f.frame?.name === 'MessageAck' && f.frame.payload.nonce === nonce) ||
                  f.frame?.name === 'Error'),
            ),
        {
          timeoutMs: ctx.timeoutMs,
          expected: `MessageAck for a SendMessage sent at least ${delay} ms (Throttle.delay_ms) after the last refusal`,
          actual: () => probe.describe(),
        },
      );
      if (answer.frame?.name !== 'MessageAck')
        fail(
          `MessageAck for a SendMessage sent at least ${delay} ms (Throttle.delay_ms) after the last refusal`,
          describeReceived(answer),
        );
    },
  },
];
