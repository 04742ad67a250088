/**
 * The level of every PROTOCOL.md rule: `protocol` (follows from the original's wire format, frame table, declared
 * error codes and handshake; any garou implementation must do it) or `reference` (our decision: what the
 * reference server does where the original is silent).
 *
 * PROTOCOL.md is the source: a rule it does not mark "(our decision)" is protocol-level. A mark covers either the
 * whole rule or only a detail of it, which text alone cannot tell, so this table classifies exactly the marked
 * rules (those whose text, table row or section carries the mark), and nothing else. test/spec/rule-levels.test.ts
 * keeps it in step with PROTOCOL.md: every marked rule is classified here, every rule here is marked there.
 */

/** How binding a rule is for an implementation other than the reference server. */
export type RuleLevel = 'protocol' | 'reference';

/** Both levels, protocol first (the order of every per-level report). */
export const RULE_LEVELS: readonly RuleLevel[] = ['protocol', 'reference'];

/** Marked rules whose requirement, as checked, is our decision: a deviation is no protocol violation. */
export const REFERENCE_RULES: readonly string[] = [
  '2/certificate',
  '2/max-connections',
  '3/upload-chunk-bytes',
  '4.1/server-command',
  '4.3/user-info',
  '4.8/error-frame',
  '4.8/error-context',
  '5/extra-bidi',
  '5/client-uni-classify',
  '5/client-uni-same-range',
  '5/client-uni-direction',
  '5/hot-room-streams',
  '6.2/hello-version',
  '6.3/token',
  '6.3/takeover',
  '6.4/shard-assignment',
  '6.5/out-of-sequence',
  '6.5/command-before-auth',
  '6.5/datagram-before-auth',
  '7/persistence',
  '7/create-room',
  '7/room-limit',
  '7/join-again',
  '7/permissions',
  '7/kick',
  '7/set-role',
  '7/server-command-unknown',
  '8/send-validation',
  '8/history-disjoint',
  '8/message-scope',
  '8/delivered-read',
  '8/rate-limit',
  '10/promote-order',
  '10/join-hot',
  '10/leave-hot',
  '10/config-sanity',
  '11/presence-relay',
  '11/presence-generated',
  '11/datagram-invalid',
  '13/upload-stream',
  '13/upload-start',
  '13/chunk-bytes',
  '13/chunk-max',
  '13/chunk-bad-metadata',
  '13/chunk-offset',
  '13/upload-complete',
  '13/filename-sanitize',
  '13/upload-cancel',
  '13/attachments',
  '14/unknown-type',
  '14/oversize',
  '14/truncated',
  '14/invalid-payload',
  '14/chunk-framing',
  '14/wrong-stream',
  '14/extra-bidi',
  '14/out-of-sequence',
  '14/command-before-auth',
  '14/datagram-before-auth',
  '14/rate-limited',
  '14/room-limit',
  '14/upload-failed',
  '14/bad-datagram',
  '14/precedence',
  '14/no-error-before-hello-ack',
  '16.1/hot-room-config',
  '16.2/large-room',
  '16.2/advertised',
  '16.2/membership-events',
  '16.2/room-init',
  '16.2/member-count',
  '16.2/presence',
  '6.3/auth-methods',
  '13/attachment-owner',
  '17/partial-frame-budget',
  '17/json-depth',
  '17/aborted-streams',
  '17/handshake-deadline',
  '17/unauthenticated-cap',
  '17/token-secret',
  '17/upload-quota',
  '17/upload-retention',
  '17/room-retention',
  '17/echo-bound',
  '17/datagram-rate',
];

/** Marked rules that stay protocol-level: only the detail named here is our decision. */
export const DECIDED_DETAILS: Readonly<Record<string, string>> = {
  '1/integer-literal': 'accepting integral values written with a fraction or exponent',
  '3/json-strictness': 'what the wire facts leave open (nesting depth, empty payload)',
  '3/truncated': 'the code 1001 for the partial frame',
  '3/datagram-frame': 'dropping a datagram whose length does not match',
  '4.1/hello-fields': 'capabilities are informational',
  '6.3/auth-ok': 'rooms [] when the auto-join fails',
  '6.4/auto-join': 'Error 1008 when room 1 is full',
  '7/roles': 'membership ends with the connection',
  '7/general': 'room 1 has no owner',
  '7/history': 'edits applied and deletes removed in RoomInit history; trimming to 16 MiB',
  '8/message-id': 'refused messages consume no id',
  '8/fan-out': 'the nonce in every recipient’s RoomMessage, not only the sender’s',
  '8/switch-reorder': 'no order for frames other than RoomMessage across a switch',
  '8/edit': 'the code 1007 for oversize content',
  '8/react-add': 'a duplicate reaction is a silent no-op; emoji 1-64 bytes',
  '8/react-remove': 'the code 1005 for an absent reaction',
  '9/num-shards': 'at most 100 - max_hot_rooms shards',
  '10/demote': 'the room must also have been hot for cool_down_ms',
  '12/server-ping': 'no close for missing Pongs; no Ping at a check after traffic',
};

const REFERENCE = new Set(REFERENCE_RULES);

/** The level of a PROTOCOL.md rule id (unmarked rules are protocol-level). */
export function ruleLevel(ruleId: string): RuleLevel {
  return REFERENCE.has(ruleId) ? 'reference' : 'protocol';
}
