/**
 * The params of the moderation ServerCommands a client may send (PROTOCOL.md 7/kick, 7/set-role): an object with
 * u64 room_id and user_id, and a role for set_role; anything else is Error 1007 naming ServerCommand.params.
 */
import { ERROR_CODES, canonicalU64, isU64, type JsonValue, type U64 } from '../spec/index.js';
import { fail, succeed, type CommandResult } from './protocol-errors.js';
import { isRole } from './room-permissions.js';

/** Parses kick / set_role params: an object with u64 room_id and user_id (and a role for set_role), else 1007. */
export function parseModerationParams(
  params: JsonValue,
  needsRole: boolean,
): CommandResult<{
  roomId: U64;
  userId: U64;
  role: 'owner' | 'admin' | 'moderator' | 'member' | 'guest' | null;
}> {
  const invalid = (why: string) => fail(ERROR_CODES.INVALID_MESSAGE, why, 'ServerCommand.params');
  if (typeof params !== 'object' || params === null || Array.isArray(params))
    return invalid('params must be an object with room_id and user_id');
  const { room_id: roomId, user_id: userId, role } = params;
  if (!isU64(roomId)) return invalid('params.room_id must be a u64');
  if (!isU64(userId)) return invalid('params.user_id must be a u64');
  if (!needsRole) return succeed({ roomId: canonicalU64(roomId), userId: canonicalU64(userId), role: null });
  if (!isRole(role)) return invalid('params.role must be one of admin, moderator, member, guest');
  return succeed({ roomId: canonicalU64(roomId), userId: canonicalU64(userId), role });
}
