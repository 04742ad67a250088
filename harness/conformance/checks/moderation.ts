/**
 * Room moderation by ServerCommand (PROTOCOL.md 7/kick, 7/set-role, 7/permissions): a kick removes the member
 * (RoomClose "kicked" to it, RoomUserLeft to the others, the command echoed to the kicker), a member may not kick,
 * and a role set by set_role is in effect once its echo arrives.
 */
import { ERROR_CODES, type JsonValue, type PayloadOf, type U64 } from '../../../spec/index.js';
import type { CheckContext } from '../check-context.js';
import { ensure, fail, type ConformanceCheck } from '../check.js';
import { describeReceived, type ProbeConnection } from '../probe-connection.js';
import { sameId } from './fates.js';
import { expectOnRoomStream } from './rooms.js';

/** Parameters of kick and set_role. */
interface ModerationParams {
  readonly room_id: U64;
  readonly user_id: U64;
  readonly role?: string;
}

/** What answered a ServerCommand: its echo on the control stream, or an Error. */
type CommandAnswer =
  | { readonly kind: 'echo'; readonly echo: PayloadOf<'ServerCommand'>; readonly shown: string }
  | { readonly kind: 'error'; readonly error: PayloadOf<'Error'>; readonly shown: string };

/** `{command, params}` as readable text for reports. */
function describeCommand(command: string, params: ModerationParams): string {
  const role = params.role === undefined ? '' : `, role "${params.role}"`;
  return `${command}{room ${params.room_id}, user ${params.user_id}${role}}`;
}

/** Sends a ServerCommand on the control stream and waits for its echo or an Error, whichever comes first. */
async function sendCommand(
  ctx: CheckContext,
  actor: ProbeConnection,
  command: 'kick' | 'set_role',
  params: ModerationParams,
): Promise<CommandAnswer> {
  const after = actor.mark;
  actor.send('ServerCommand', { command, params: params as unknown as JsonValue });
  const item = await actor.until(
    () =>
      actor
        .on('control')
        .find(
          (f) =>
            f.seq >= after &&
            (f.frame?.name === 'Error' ||
              (f.frame?.name === 'ServerCommand' && f.frame.payload.command === command)),
        ),
    {
      timeoutMs: ctx.timeoutMs,
      expected: `an answer to ServerCommand ${describeCommand(command, params)} from ${actor.label} (echo or Error)`,
      actual: () => actor.describe(),
    },
  );
  if (item.frame?.name === 'ServerCommand')
    return { kind: 'echo', echo: item.frame.payload, shown: describeReceived(item) };
  return { kind: 'error', error: item.frame!.payload as PayloadOf<'Error'>, shown: describeReceived(item) };
}

/** The command succeeded: its echo carries the same command and params. */
async function expectEcho(
  ctx: CheckContext,
  actor: ProbeConnection,
  command: 'kick' | 'set_role',
  params: ModerationParams,
  why: string,
): Promise<void> {
  const answer = await sendCommand(ctx, actor, command, params);
  const expected = `the ServerCommand ${describeCommand(command, params)} echoed on ${actor.label}'s control stream (${why})`;
  if (answer.kind === 'error') fail(expected, answer.shown);
  const echoed = answer.echo.params as Record<string, unknown> | null;
  ensure(
    echoed !== null &&
      typeof echoed === 'object' &&
      sameId(echoed.room_id, params.room_id) &&
      sameId(echoed.user_id, params.user_id) &&
      echoed.role === params.role,
    `${expected}, with the same params`,
    answer.shown,
  );
}

/** The command is refused with Error 1004 (context "ServerCommand.params", else a warning). */
async function expectDenied(
  ctx: CheckContext,
  actor: ProbeConnection,
  command: 'kick' | 'set_role',
  params: ModerationParams,
  why: string,
): Promise<void> {
  const answer = await sendCommand(ctx, actor, command, params);
  const expected = `Error{code 1004} for ServerCommand ${describeCommand(command, params)} from ${actor.label} (${why})`;
  if (answer.kind === 'echo') fail(expected, `${answer.shown}: the command was carried out`);
  ensure(answer.error.code === ERROR_CODES.PERMISSION_DENIED, expected, answer.shown);
  if (answer.error.context !== 'ServerCommand.params')
    ctx.warn(
      `Error context is ${JSON.stringify(answer.error.context)}, expected "ServerCommand.params" (7/permissions)`,
    );
}

/** RoomClose{reason "kicked"} for `roomId` on the kicked member's room stream. */
function expectKicked(ctx: CheckContext, kicked: ProbeConnection, roomId: U64): Promise<void> {
  return expectOnRoomStream(
    ctx,
    kicked,
    roomId,
    'RoomClose',
    (p) => p.reason === 'kicked',
    'RoomClose{reason "kicked"}',
  );
}

export const MODERATION_CHECKS: readonly ConformanceCheck[] = [
  {
    id: '7/kick',
    title:
      'The owner kicks a member: RoomClose "kicked" to it, RoomUserLeft to the others, the command echoed to the owner',
    rules: ['7/kick', '4.1/server-command', '7/permissions'],
    async run(ctx) {
      const [roomId, owner, target, bystander] = await ctx.loginToRoom(
        'kick-owner',
        'kick-target',
        'kick-bystander',
      );
      await expectEcho(
        ctx,
        owner,
        'kick',
        { room_id: roomId, user_id: target.userId! },
        'the owner may kick a member',
      );
      await expectKicked(ctx, target, roomId);
      for (const probe of [owner, bystander])
        await expectOnRoomStream(
          ctx,
          probe,
          roomId,
          'RoomUserLeft',
          (p) => sameId(p.user_id, target.userId),
          `RoomUserLeft for the kicked ${target.username}`,
        );
    },
  },
  {
    id: '7/kick/member-denied',
    title: 'A member may not kick (neither another member nor the owner): Error 1004, nobody leaves',
    rules: ['7/kick', '7/permissions', '14/permission'],
    async run(ctx) {
      const [roomId, owner, member, other] = await ctx.loginToRoom('deny-owner', 'deny-member', 'deny-other');
      for (const victim of [other, owner])
        await expectDenied(
          ctx,
          member,
          'kick',
          { room_id: roomId, user_id: victim.userId! },
          'a member may not kick',
        );
      await ctx.sleep(ctx.settleMs);
      for (const probe of [owner, member, other]) {
        const departures = probe
          .on('any')
          .filter(
            (f) =>
              (f.frame?.name === 'RoomClose' || f.frame?.name === 'RoomUserLeft') &&
              sameId(f.frame.payload.room_id, roomId),
          );
        ensure(
          departures.length === 0,
          `no RoomClose or RoomUserLeft of room ${roomId} for ${probe.label} after the refused kicks`,
          () => departures.map(describeReceived).join(', '),
        );
      }
    },
  },
  {
    id: '7/set-role',
    title:
      'set_role by the owner is in effect once echoed: the new moderator may kick a member, but may not set roles',
    rules: ['7/set-role', '7/kick', '7/permissions'],
    async run(ctx) {
      const [roomId, owner, member, other] = await ctx.loginToRoom('role-owner', 'role-member', 'role-other');
      await expectEcho(
        ctx,
        owner,
        'set_role',
        { room_id: roomId, user_id: member.userId!, role: 'moderator' },
        'the owner may make a member moderator',
      );
      await expectEcho(
        ctx,
        member,
        'kick',
        { room_id: roomId, user_id: other.userId! },
        'sent after the set_role echo: judged as a moderator, who may kick a member',
      );
      await expectKicked(ctx, other, roomId);
      await expectDenied(
        ctx,
        member,
        'set_role',
        { room_id: roomId, user_id: owner.userId!, role: 'guest' },
        'set_role needs admin or owner, over a strictly lower role',
      );
    },
  },
];
