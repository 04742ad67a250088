/**
 * The large-room rule (PROTOCOL.md 16.2, our decision): a room with at least `threshold` members stops announcing
 * individual membership changes and stops carrying presence, and its RoomInit lists no members, only their count.
 *
 * Without it every join, leave and presence change of a room of n members costs n frames, so filling the room
 * costs O(n^2) frames and O(n^2) RoomInit bytes; large chat services (Discord's large guilds, Slack's big channels)
 * stop pushing member lists above a size for the same reason and let clients ask when they need them.
 */

/** Decides, from member counts only, which membership traffic a room still gets. */
export class LargeRoomPolicy {
  /** @param threshold member count from which a room is large; 0 means no room is ever large. */
  constructor(readonly threshold: number) {
    if (!Number.isInteger(threshold) || threshold < 0)
      throw new RangeError(`large-room threshold must be an integer >= 0, got ${threshold}`);
  }

  /** HelloAck.large_room_threshold: the applied threshold, or null when the rule is off (16.2/advertised). */
  get advertised(): number | null {
    return this.threshold === 0 ? null : this.threshold;
  }

  /** Whether a room with this many members is large (16.2/large-room). */
  isLarge(memberCount: number): boolean {
    return this.threshold > 0 && memberCount >= this.threshold;
  }

  /**
   * Whether a membership change from `before` to `after` members is announced (RoomUserJoined / RoomUserLeft,
   * 16.2/membership-events): only when the room is small on both sides of the change, so the join that makes a room
   * large and the leave that makes it small again are both silent, and a client's view stays consistent.
   */
  announcesChange(before: number, after: number): boolean {
    return !this.isLarge(Math.max(before, after));
  }
}
