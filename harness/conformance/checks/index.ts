/**
 * Every conformance check, in run order: transport and handshake, framing violations, rooms and messages, room
 * isolation, moderation, the rate limit, uploads, datagrams and keep-alive, hot rooms, robustness, and last the
 * placement of everything the server sent.
 */
import type { ConformanceCheck } from '../check.js';
import { DECLARED_ERROR_CHECKS } from './declared-errors.js';
import { FRAME_CHECKS } from './frames.js';
import { HANDSHAKE_CHECKS } from './handshake.js';
import { HOT_ROOM_CHECKS } from './hot-rooms.js';
import { ISOLATION_CHECKS } from './isolation.js';
import { KEEPALIVE_CHECKS } from './keepalive.js';
import { LARGE_ROOM_CHECKS } from './large-rooms.js';
import { MODERATION_CHECKS } from './moderation.js';
import { PLACEMENT_CHECKS } from './placement.js';
import { RATE_LIMIT_CHECKS } from './rate-limit.js';
import { ROBUSTNESS_CHECKS } from './robustness.js';
import { ROOM_CHECKS } from './rooms.js';
import { UPLOAD_CHECKS } from './uploads.js';

/** All checks, in the order a run executes them. */
export const ALL_CHECKS: readonly ConformanceCheck[] = [
  ...HANDSHAKE_CHECKS,
  ...FRAME_CHECKS,
  ...DECLARED_ERROR_CHECKS,
  ...ROOM_CHECKS,
  ...ISOLATION_CHECKS,
  ...LARGE_ROOM_CHECKS,
  ...MODERATION_CHECKS,
  ...RATE_LIMIT_CHECKS,
  ...UPLOAD_CHECKS,
  ...KEEPALIVE_CHECKS,
  ...HOT_ROOM_CHECKS,
  ...ROBUSTNESS_CHECKS,
  ...PLACEMENT_CHECKS,
];
