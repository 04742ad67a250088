import { describe, expect, it } from 'vitest';
import { RecipientViews } from '../../../harness/metrics/recipient-views.js';

/** Joins and leaves `recipient` in `room` once per [from, to] pair, then leaves the last membership open. */
function memberships(
  views: RecipientViews,
  recipient: number,
  room: number,
  closed: [number, number][],
  openAt: number,
): void {
  for (const [from, to] of closed) {
    views.joined(recipient, room, from);
    views.left(recipient, room, to);
  }
  views.joined(recipient, room, openAt);
}

describe('RecipientViews.prune', () => {
  it('drops closed intervals that ended before the horizon and keeps the last one', () => {
    const views = new RecipientViews(false);
    memberships(
      views,
      1,
      7,
      [
        [100, 200],
        [300, 400],
      ],
      500,
    );
    memberships(views, 2, 7, [], 100);
    views.prune(350);
    expect(views.find(1, 7)?.intervals.map((i) => i.from)).toEqual([300, 500]);
    expect(views.find(2, 7)?.intervals.map((i) => i.from)).toEqual([100]);
    views.prune(Infinity);
    expect(views.find(1, 7)?.intervals.map((i) => i.from)).toEqual([500]);
  });

  it('keeps pruned intervals aside with keepPast', () => {
    const views = new RecipientViews(true);
    memberships(views, 1, 7, [[100, 200]], 300);
    views.prune(250);
    expect(views.find(1, 7)?.past?.map((i) => i.from)).toEqual([100]);
    expect(views.membershipLog()[0]?.intervals.map((i) => i.from)).toEqual([100, 300]);
  });

  it('prunes a view again once it has several intervals after an earlier prune emptied its past', () => {
    const views = new RecipientViews(false);
    memberships(views, 1, 7, [[100, 200]], 300);
    views.prune(250);
    expect(views.find(1, 7)?.intervals).toHaveLength(1);
    views.left(1, 7, 400);
    views.joined(1, 7, 500);
    views.prune(450);
    expect(views.find(1, 7)?.intervals.map((i) => i.from)).toEqual([500]);
  });

  it('never drops the last interval, even a closed one long past', () => {
    const views = new RecipientViews(false);
    memberships(views, 1, 7, [[100, 200]], 300);
    views.left(1, 7, 400);
    views.prune(Infinity);
    expect(views.find(1, 7)?.intervals.map((i) => [i.from, i.to])).toEqual([[300, 400]]);
  });
});
