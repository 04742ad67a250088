import { describe, expect, it } from 'vitest';
import {
  ROLES,
  mayDelete,
  mayEdit,
  mayKick,
  mayPerform,
  maySetRole,
  roleRank,
  type Role,
} from '../../reference-server/room-permissions.js';
import type { RoomType } from '../../spec/index.js';

describe('room permissions', () => {
  it('ranks roles owner > admin > moderator > member > guest', () => {
    expect(ROLES.map(roleRank)).toEqual([0, 1, 2, 3, 4]);
    expect(roleRank('owner')).toBeGreaterThan(roleRank('admin'));
    expect(roleRank('member')).toBeGreaterThan(roleRank('guest'));
  });

  // Expected posting matrix written out explicitly (decisions.md "Rooms").
  const postMatrix: Record<RoomType, Record<Role, boolean>> = {
    direct: { guest: true, member: true, moderator: true, admin: true, owner: true },
    group: { guest: true, member: true, moderator: true, admin: true, owner: true },
    channel: { guest: false, member: true, moderator: true, admin: true, owner: true },
  };
  for (const [type, row] of Object.entries(postMatrix) as [RoomType, Record<Role, boolean>][]) {
    for (const [role, allowed] of Object.entries(row) as [Role, boolean][]) {
      it(`post in ${type} as ${role}: ${allowed}`, () => {
        expect(mayPerform('post', type, role)).toBe(allowed);
      });
    }
  }

  it('any member (guest included) may react', () => {
    for (const role of ROLES) expect(mayPerform('react', 'channel', role)).toBe(true);
  });

  it('edit is author-only whatever the role', () => {
    expect(mayEdit(true)).toBe(true);
    expect(mayEdit(false)).toBe(false);
  });

  it('delete: author always, others need moderator+ (never in direct rooms)', () => {
    expect(mayDelete('group', 'guest', true)).toBe(true);
    expect(mayDelete('group', 'member', false)).toBe(false);
    expect(mayDelete('group', 'moderator', false)).toBe(true);
    expect(mayDelete('channel', 'owner', false)).toBe(true);
    expect(mayDelete('direct', 'owner', false)).toBe(false);
    expect(mayDelete('direct', 'member', true)).toBe(true);
  });

  it('kick: moderator+ over strictly lower roles, nobody in direct rooms', () => {
    expect(mayKick('group', 'moderator', 'member')).toBe(true);
    expect(mayKick('group', 'moderator', 'moderator')).toBe(false);
    expect(mayKick('group', 'member', 'guest')).toBe(false);
    expect(mayKick('channel', 'admin', 'moderator')).toBe(true);
    expect(mayKick('channel', 'admin', 'owner')).toBe(false);
    expect(mayKick('direct', 'owner', 'member')).toBe(false);
  });

  it('set_role: admin+ only, target and new role strictly lower, never owner, never in direct rooms', () => {
    expect(maySetRole('group', 'admin', 'member', 'moderator')).toBe(true);
    expect(maySetRole('group', 'admin', 'member', 'admin')).toBe(false);
    expect(maySetRole('group', 'admin', 'admin', 'member')).toBe(false);
    expect(maySetRole('group', 'moderator', 'member', 'guest')).toBe(false);
    expect(maySetRole('channel', 'owner', 'admin', 'guest')).toBe(true);
    expect(maySetRole('channel', 'owner', 'member', 'owner')).toBe(false);
    expect(maySetRole('direct', 'owner', 'member', 'guest')).toBe(false);
  });
});
