/**
 * The reaction/delete race filter: a NOT_FOUND answering a reaction whose target was deleted first is excused
 * whichever of the Error (control stream) and the RoomMessageDeleted (shard stream) arrives first; any other
 * error, and a NOT_FOUND whose deletion never comes, still reaches serverError.
 */
import { describe, expect, it } from 'vitest';
import { IgnoreClientEvents } from '../../../harness/client/client-events.js';
import { HoldTimer } from '../../../harness/client/hold-timer.js';
import { RACE_HOLD_MS, ReactionRaceFilter } from '../../../harness/client/reaction-race.js';
import type { ErrorPayload } from '../../../spec/index.js';

class Heard extends IgnoreClientEvents {
  readonly errors: Array<{ code: number; atMs: number }> = [];
  readonly raced: number[] = [];
  override serverError(_client: unknown, error: ErrorPayload, atMs: number): void {
    this.errors.push({ code: error.code, atMs });
  }
  override reactionRacedDelete(_client: unknown, atMs: number): void {
    this.raced.push(atMs);
  }
}

const NOT_FOUND: ErrorPayload = {
  code: 1005,
  message: 'message 7 is unknown or no longer in the room history',
  context: 'AddReaction.message_id',
};

function filter(): { heard: Heard; race: ReactionRaceFilter<unknown>; timer: HoldTimer } {
  const heard = new Heard();
  const timer = new HoldTimer(1_000_000); // never polls by itself: the test releases holds with explicit times
  return { heard, race: new ReactionRaceFilter('client', heard, timer), timer };
}

describe('ReactionRaceFilter', () => {
  it('excuses a NOT_FOUND whose reaction target was already seen deleted', () => {
    const { heard, race, timer } = filter();
    race.reacted(7);
    race.deleted(7, 100);
    expect(race.takeError(NOT_FOUND, 105)).toBe(true);
    expect(heard.raced).toEqual([105]);
    expect(heard.errors).toEqual([]);
    timer.stop();
  });

  it('holds a NOT_FOUND that arrives before its deletion, and excuses it when the deletion comes', () => {
    const { heard, race, timer } = filter();
    race.reacted(7);
    expect(race.takeError(NOT_FOUND, 100)).toBe(true);
    expect(heard.raced).toEqual([]);
    race.deleted(7, 103);
    expect(heard.raced).toEqual([103]);
    expect(race.releaseHolds(100 + RACE_HOLD_MS)).toBe(Infinity);
    expect(heard.errors).toEqual([]);
    timer.stop();
  });

  it('reports a held NOT_FOUND as an error, with its arrival time, when no deletion of a target comes', () => {
    const { heard, race, timer } = filter();
    race.reacted(7);
    race.takeError(NOT_FOUND, 100);
    race.deleted(8, 101); // another message: explains nothing
    expect(race.releaseHolds(100 + RACE_HOLD_MS - 1)).toBe(100 + RACE_HOLD_MS);
    expect(heard.errors).toEqual([]);
    expect(race.releaseHolds(100 + RACE_HOLD_MS)).toBe(Infinity);
    expect(heard.errors).toEqual([{ code: 1005, atMs: 100 }]);
    expect(heard.raced).toEqual([]);
    timer.stop();
  });

  it('lets one deletion explain one error only', () => {
    const { heard, race, timer } = filter();
    race.reacted(7);
    race.reacted(9);
    race.deleted(7, 100);
    expect(race.takeError(NOT_FOUND, 101)).toBe(true);
    expect(race.takeError(NOT_FOUND, 102)).toBe(true); // held: 7's deletion is used up, 9 may still be deleted
    expect(race.takeError(NOT_FOUND, 103)).toBe(true); // held as well: the filter matches errors to targets loosely
    race.deleted(7, 104); // a repeated deletion explains nothing more
    race.flush();
    expect(heard.raced).toEqual([101]);
    expect(heard.errors).toEqual([
      { code: 1005, atMs: 102 },
      { code: 1005, atMs: 103 },
    ]);
    timer.stop();
  });

  it('leaves other errors, and NOT_FOUND of other commands or without a reaction, to the caller', () => {
    const { race, timer } = filter();
    expect(race.takeError(NOT_FOUND, 100)).toBe(false); // no reaction written yet
    race.reacted(5);
    race.deleted(5, 100);
    expect(race.takeError(NOT_FOUND, 100)).toBe(true);
    expect(race.takeError(NOT_FOUND, 100)).toBe(false); // its one target is used up
    race.reacted(7);
    race.deleted(7, 100);
    expect(race.takeError({ ...NOT_FOUND, context: 'LeaveRoom.room_id' }, 101)).toBe(false);
    // An absent reaction to remove is NOT_FOUND too (8/react-remove): not a race with a delete.
    expect(race.takeError({ ...NOT_FOUND, context: 'RemoveReaction.emoji' }, 101)).toBe(false);
    expect(race.takeError({ ...NOT_FOUND, code: 1003 }, 102)).toBe(false);
    // A server that gives no context: the NOT_FOUND may be the reaction's.
    expect(race.takeError({ ...NOT_FOUND, context: null }, 103)).toBe(true);
    timer.stop();
  });

  it('reports what it holds when the connection closes', () => {
    const { heard, race, timer } = filter();
    race.reacted(7);
    race.takeError(NOT_FOUND, 100);
    race.flush();
    expect(heard.errors).toEqual([{ code: 1005, atMs: 100 }]);
    timer.stop();
  });
});
