/**
 * Who may do what in a room, as data (PROTOCOL.md section 7, our decision).
 *
 * Every permission question the server asks goes through this table, so the rules can be read, tested and
 * changed in one place.
 */
import { ROOM_TYPES, type RoomType } from '../spec/index.js';

/** Roles from lowest to highest; the index is the rank. */
export const ROLES = ['guest', 'member', 'moderator', 'admin', 'owner'] as const;
/** A member's role in a room. */
export type Role = (typeof ROLES)[number];

/** Actions that depend on the actor's role. Edit is not here: it is author-only whatever the role. */
export type RoomAction = 'post' | 'react' | 'upload' | 'delete_others' | 'kick' | 'set_role';

/**
 * Lowest role allowed to perform each action, per room type; null means nobody.
 * - post: channels are read-only for guests (members may post, which keeps room 1 "General" usable for chat as in
 *   the original); groups and direct rooms accept everyone who joined.
 * - delete_others: deleting someone else's message needs moderator or above (authors may always delete their own).
 * - kick: moderator or above, and only over a strictly lower role (see mayKick); nobody kicks in a direct room.
 * - set_role: admin or above, over strictly lower roles and to strictly lower roles (see maySetRole).
 * Every action also requires membership, which the registry checks before asking this table.
 */
export const MIN_ROLE: Readonly<Record<RoomAction, Readonly<Record<RoomType, Role | null>>>> = {
  post: { direct: 'guest', group: 'guest', channel: 'member' },
  react: { direct: 'guest', group: 'guest', channel: 'guest' },
  upload: { direct: 'guest', group: 'guest', channel: 'guest' },
  delete_others: { direct: null, group: 'moderator', channel: 'moderator' },
  kick: { direct: null, group: 'moderator', channel: 'moderator' },
  set_role: { direct: null, group: 'admin', channel: 'admin' },
};

/** Roles set_role may assign (never owner: ownership is not transferable in v1). */
export const ASSIGNABLE_ROLES: readonly Role[] = ['admin', 'moderator', 'member', 'guest'];

/** Rank of a role (guest 0 ... owner 4). */
export function roleRank(role: Role): number {
  return ROLES.indexOf(role);
}

/** True when a member with `role` may perform `action` in a room of `roomType`. */
export function mayPerform(action: RoomAction, roomType: RoomType, role: Role): boolean {
  const min = MIN_ROLE[action][roomType];
  return min !== null && roleRank(role) >= roleRank(min);
}

/** True when the actor may edit a message: only its author. */
export function mayEdit(actorIsAuthor: boolean): boolean {
  return actorIsAuthor;
}

/** True when the actor may delete a message: its author, or a moderator+ where the table allows it. */
export function mayDelete(roomType: RoomType, actorRole: Role, actorIsAuthor: boolean): boolean {
  return actorIsAuthor || mayPerform('delete_others', roomType, actorRole);
}

/** True when `actorRole` may kick a member with `targetRole`: moderator+ and strictly above the target. */
export function mayKick(roomType: RoomType, actorRole: Role, targetRole: Role): boolean {
  return mayPerform('kick', roomType, actorRole) && roleRank(actorRole) > roleRank(targetRole);
}

/**
 * True when `actorRole` may change a member from `targetRole` to `newRole`: admin+ (where set_role exists), the
 * target's current role and the new role strictly below the actor's, and the new role assignable.
 */
export function maySetRole(roomType: RoomType, actorRole: Role, targetRole: Role, newRole: Role): boolean {
  return (
    mayPerform('set_role', roomType, actorRole) &&
    roleRank(targetRole) < roleRank(actorRole) &&
    roleRank(newRole) < roleRank(actorRole) &&
    ASSIGNABLE_ROLES.includes(newRole)
  );
}

/** Type guard for role strings received on the wire. */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Type guard for room type strings received on the wire. */
export function isRoomType(value: unknown): value is RoomType {
  return typeof value === 'string' && (ROOM_TYPES as readonly string[]).includes(value);
}
