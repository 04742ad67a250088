/**
 * Robustness (PROTOCOL.md 14): seeded fast-check samples of hostile input on every client stream type and as
 * datagrams. Violations on uni streams and datagrams never close the connection (14/one-error); whatever arrives,
 * the server must still serve a fresh client afterwards.
 */
import { createHash } from 'node:crypto';
import { encodeFrame } from '../../../spec/index.js';
import type { CheckContext } from '../check-context.js';
import { CheckFailed, fail, type ConformanceCheck } from '../check.js';
import { sampleHostile, type HostileSequence, type HostileTarget } from '../hostile-frames.js';
import { hexPreview } from '../probe-connection.js';
import { concatBytes, expectAlive } from './fates.js';

const OPENERS: Readonly<Record<'chat-commands' | 'acks' | 'uploads', () => Uint8Array>> = {
  'chat-commands': () => encodeFrame('JoinRoom', { room_id: 1 }),
  acks: () => encodeFrame('MessageRead', { message_id: 1, room_id: 1, read_at: Date.now() }),
  uploads: () =>
    encodeFrame('UploadStart', {
      room_id: 1,
      filename: 'hostile.bin',
      mime_type: 'application/octet-stream',
      size: 1,
      checksum: createHash('sha256').update('h').digest('hex'),
    }),
};

function describeSequences(sequences: readonly HostileSequence[]): string {
  return sequences
    .map((s, i) => `#${i}: ${hexPreview(concatBytes(...s.pieces), 32)}${s.fin ? ' +FIN' : ''}`)
    .join('; ');
}

/** A fresh client can log in, join a room, post and receive its message. */
async function expectFreshClientServed(
  ctx: CheckContext,
  what: string,
  sequences: readonly HostileSequence[],
): Promise<void> {
  try {
    const [roomId, fresh] = await ctx.loginToRoom('fresh');
    const sent = await ctx.sendMessage(fresh, roomId, 'still serving?');
    await ctx.expectRoomMessage(fresh, roomId, sent.ack.message_id);
  } catch (error) {
    if (!(error instanceof CheckFailed)) throw error;
    fail(
      `a fresh client served (login, join, post, delivery) after hostile ${what} (seed ${ctx.env.settings.seed})`,
      `${error.actual}; sequences sent: ${describeSequences(sequences)}`,
    );
  }
}

function hostileCheck(target: HostileTarget): ConformanceCheck {
  return {
    id: `14/one-error/hostile-${target}`,
    title:
      target === 'control'
        ? 'Hostile byte sequences on the control stream never stop the server from serving a fresh client'
        : target === 'datagram'
          ? 'Hostile datagrams are dropped: the connection survives and a fresh client is served'
          : `Hostile byte sequences on ${target} streams abort at most the stream: the connection survives, a fresh client is served`,
    rules: [
      '14/one-error',
      '14/error-then-fate',
      target === 'datagram' ? '14/bad-datagram' : '14/precedence',
    ],
    budgetMs: (ctx) => (ctx.env.settings.hostileRuns + 6) * ctx.timeoutMs,
    async run(ctx) {
      const sequences = sampleHostile(target, ctx.env.settings.seed, ctx.env.settings.hostileRuns);
      if (target === 'control') {
        for (const sequence of sequences) {
          const probe = await ctx.login('hostile');
          probe.write('control', concatBytes(...sequence.pieces));
          await ctx.sleep(20);
        }
        await ctx.sleep(ctx.settleMs);
      } else {
        const probe = await ctx.login('hostile');
        if (target === 'datagram') {
          for (const sequence of sequences) for (const piece of sequence.pieces) probe.sendDatagram(piece);
        } else {
          for (const sequence of sequences) {
            const streamId = probe.openUni();
            probe.write(streamId, concatBytes(OPENERS[target](), ...sequence.pieces), sequence.fin);
          }
        }
        await ctx.sleep(ctx.settleMs);
        try {
          await expectAlive(ctx, probe);
        } catch (error) {
          if (!(error instanceof CheckFailed)) throw error;
          fail(
            `the connection to survive hostile ${target} input (violations there never close it, 14/one-error; seed ${ctx.env.settings.seed})`,
            `${error.actual}; sequences sent: ${describeSequences(sequences)}`,
          );
        }
      }
      await expectFreshClientServed(ctx, `${target} input`, sequences);
    },
  };
}

export const ROBUSTNESS_CHECKS: readonly ConformanceCheck[] = (
  ['control', 'chat-commands', 'acks', 'uploads', 'datagram'] as const
).map(hostileCheck);
