/**
 * Rooms of nobody (issue 16, item 7; PROTOCOL.md 7/persistence, 17/room-retention): a room every member left is
 * freed with its history after empty_room_retention_ms, so reaching max_rooms once is no permanent lock-out.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../../spec/index.js';
import { TestClient, removeTestDirs, testService } from '../recording-connection.js';

afterAll(removeTestDirs);

describe('empty-room retention', () => {
  it('rooms left by everyone are freed after the retention time, and new rooms can be created again', () => {
    const { service, clock } = testService({ max_rooms: 4, empty_room_retention_ms: 60_000 });
    const mallory = new TestClient(service).login('mallory');
    for (const id of [10, 11, 12]) {
      mallory.command('JoinRoom', { room_id: id });
      mallory.command('SendMessage', {
        room_id: id,
        content: 'x'.repeat(1000),
        nonce: `n${id}`,
        reply_to: null,
        attachments: [],
      });
    }
    mallory.control('Goodbye', { reason: 'bye' });
    service.tick(); // the server ticks every 250 ms: that is when it notes the rooms as empty
    expect(service.rooms.size).toBe(4);
    const alice = new TestClient(service).login('alice');
    alice.command('JoinRoom', { room_id: 20 });
    expect(alice.errors().map((e) => e.code)).toEqual([ERROR_CODES.ROOM_FULL]);

    clock.advance(30_000);
    service.tick();
    expect(service.rooms.size).toBe(4);
    clock.advance(31_000);
    service.tick();
    // General is never freed; the three empty rooms are, with their history.
    expect(service.rooms.size).toBe(1);
    expect(service.rooms.findMessage(1)).toBeUndefined();
    alice.command('JoinRoom', { room_id: 20 });
    expect(alice.errors()).toHaveLength(1);
    expect(service.rooms.get(20)?.members.size).toBe(1);
  });

  it('a room someone rejoined before the deadline is kept', () => {
    const { service, clock } = testService({ empty_room_retention_ms: 60_000 });
    const alice = new TestClient(service).login('alice');
    alice.command('JoinRoom', { room_id: 30 });
    alice.command('LeaveRoom', { room_id: 30 });
    service.tick();
    clock.advance(50_000);
    service.tick();
    alice.command('JoinRoom', { room_id: 30 });
    clock.advance(20_000);
    service.tick();
    expect(service.rooms.get(30)?.members.size).toBe(1);
  });
});
