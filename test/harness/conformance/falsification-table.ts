/**
 * Which deliberately broken reference server (test/support/server-faults/faults.ts) each conformance check must fail
 * against. Every check appears here; falsification*.test.ts run each pair, and falsification-table.test.ts keeps
 * the table complete.
 */
import type { FaultName } from '../../support/server-faults/faults.js';
import type { FieldFaultName } from '../../support/server-faults/field-faults.js';
import { DECLARED_ERROR_CHECKS } from '../../../harness/conformance/checks/declared-errors.js';
import { FRAME_CHECKS } from '../../../harness/conformance/checks/frames.js';

/** A check, the faults that must make it fail, and what its failure report must mention (the right reason). */
export interface Falsification {
  readonly check: string;
  /** Matched against the failure's actual: what the server did (the harness's conditions left out). */
  readonly evidence: RegExp;
  readonly faults: readonly FaultName[];
}

/** The check run next to each targeted check to show the broken server still works otherwise. */
export const SANITY_CHECK = '12/pong-echo';
/** The sanity check for faults that break the default one. */
export const FALLBACK_SANITY_CHECK = '6.2/hello-ack';

/** The sanity check to pair with a fault. */
export function sanityCheckFor(fault: FaultName): string {
  return fault === 'no-pong' ? FALLBACK_SANITY_CHECK : SANITY_CHECK;
}

/** Evidence that a listing of what arrived holds no `frame`: the server did not send it. */
function listingWithout(listing: RegExp, frame: string): RegExp {
  return new RegExp(`^${listing.source}(?:(?!${frame}\\{)[\\s\\S])*$`);
}

/** A member's shard stream as a check lists it, without `frame`. */
function onShardWithout(frame: string): RegExp {
  return listingWithout(/stream \d+ \(shard \d+\): /, frame);
}

/** The stalled connection of a hostile-input check: no Pong before the list of sequences sent. */
const HOSTILE_NO_PONG = /^the control stream: (?:(?!Pong\{)[\s\S])*; sequences sent: #0: /;

export const HANDSHAKE_FALSIFICATIONS: readonly Falsification[] = [
  { check: '2/alpn', evidence: /handshake completed/, faults: ['no-alpn-check'] },
  { check: '6.2/hello-ack', evidence: /session_id: missing/, faults: ['hello-ack-missing-field'] },
  { check: '6.2/session-id', evidence: /both "0{8}-/, faults: ['fixed-session-id'] },
  { check: '6.2/hello-version', evidence: /connection still open/, faults: ['ignore-bad-version'] },
  { check: '6.5/non-hello-first', evidence: /connection still open/, faults: ['no-auth-required'] },
  { check: '6.5/bad-header-first', evidence: /application error 1007/, faults: ['wrong-error-code'] },
  { check: '6.5/out-of-sequence', evidence: /connection still open/, faults: ['ignore-repeated-hello'] },
  {
    check: '6.3/auth-failed',
    evidence: /^AuthOk\{|^control stream: (?:(?!AuthFailed)[\s\S])*$/,
    faults: ['auth-accepts-anything', 'no-auth-failed'],
  },
  { check: '6.3/auth-ok', evidence: /rooms: missing/, faults: ['auth-ok-missing-field'] },
  {
    check: '6.4/post-auth-order',
    evidence: /HelloAck, ShardAssignment, AuthOk/,
    faults: ['wrong-handshake-order'],
  },
  {
    check: '6.4/shard-assignment',
    evidence: /\{"shard_id":6,"room_ids":\[[^\]]*\]\}\]$/,
    faults: ['shard-assignment-wrong'],
  },
  {
    check: '6.4/auto-join',
    evidence: /^stream \d+ \(shard \d+\): nothing received$/,
    faults: ['no-auto-join'],
  },
  {
    check: '6.5/command-before-auth',
    evidence: listingWithout(/control stream: /, 'Error'),
    faults: ['no-auth-required'],
  },
  { check: '6.5/uni-before-auth', evidence: /no STOP_SENDING/, faults: ['no-auth-required'] },
  { check: '6.5/datagram-before-auth', evidence: /datagram before AuthOk/, faults: ['datagram-errors'] },
];

/** Room isolation (issue 14): a server leaking room frames to non-members. */
export const ISOLATION_FALSIFICATIONS: readonly Falsification[] = [
  ...[
    'room-message',
    'edit',
    'delete',
    'reaction-add',
    'reaction-remove',
    'member-joined',
    'member-left',
    'room-close',
  ].map((slug) => ({
    check: `8/members-only/${slug}`,
    evidence: /-out received/,
    faults: ['leak-room-frames'] as const,
  })),
  { check: '11/typing-relay/isolation', evidence: /-out received/, faults: ['leak-room-frames'] },
  {
    check: '11/presence-relay/isolation',
    evidence: /iso-presence-stranger received/,
    faults: ['leak-room-frames'],
  },
];

/** The protocol-level half of the framing checks (issue 14): a declared error code for each violation. */
export const DECLARED_ERROR_FALSIFICATIONS: readonly Falsification[] = [
  ...['control', 'chat-commands', 'acks', 'uploads'].flatMap((stream) =>
    ['unknown-type', 'oversize', 'truncated', 'invalid-payload', 'wrong-stream'].map((kind) => ({
      check: `14/declared-error/${kind}/${stream}`,
      evidence: /not a declared code/,
      faults: ['undeclared-error-code'] as const,
    })),
  ),
  {
    check: '14/declared-error/uni-classify',
    evidence: /not a declared code/,
    faults: ['undeclared-error-code'],
  },
  {
    check: '14/declared-error/uni-direction',
    evidence: /not a declared code/,
    faults: ['undeclared-error-code'],
  },
];

export const FRAME_FALSIFICATIONS: readonly Falsification[] = [
  {
    check: '14/unknown-type/control',
    evidence: /connection still open/,
    faults: ['survive-control-violation'],
  },
  { check: '14/oversize/control', evidence: /connection still open/, faults: ['survive-control-violation'] },
  { check: '14/truncated/control', evidence: /connection still open/, faults: ['survive-control-violation'] },
  { check: '14/invalid-payload/control', evidence: /"code":1001/, faults: ['wrong-error-code'] },
  {
    check: '14/wrong-stream/control',
    evidence: /connection still open/,
    faults: ['survive-control-violation'],
  },
  { check: '14/unknown-type/chat-commands', evidence: /connection closed/, faults: ['close-on-bad-frame'] },
  { check: '14/oversize/chat-commands', evidence: /no STOP_SENDING/, faults: ['no-stop-sending'] },
  { check: '14/truncated/chat-commands', evidence: /"code":1007/, faults: ['wrong-error-code'] },
  {
    check: '14/invalid-payload/chat-commands',
    evidence: /connection closed/,
    faults: ['close-on-bad-frame'],
  },
  { check: '14/wrong-stream/chat-commands', evidence: /no STOP_SENDING/, faults: ['no-stop-sending'] },
  { check: '14/unknown-type/acks', evidence: /connection closed/, faults: ['close-on-bad-frame'] },
  { check: '14/oversize/acks', evidence: /no STOP_SENDING/, faults: ['no-stop-sending'] },
  { check: '14/truncated/acks', evidence: /connection closed/, faults: ['close-on-bad-frame'] },
  { check: '14/invalid-payload/acks', evidence: /"code":1001/, faults: ['wrong-error-code'] },
  { check: '14/wrong-stream/acks', evidence: /connection closed/, faults: ['close-on-bad-frame'] },
  { check: '14/unknown-type/uploads', evidence: /no STOP_SENDING/, faults: ['no-stop-sending'] },
  { check: '14/oversize/uploads', evidence: /connection closed/, faults: ['close-on-bad-frame'] },
  { check: '14/truncated/uploads', evidence: /"code":1007/, faults: ['wrong-error-code'] },
  { check: '14/invalid-payload/uploads', evidence: /connection closed/, faults: ['close-on-bad-frame'] },
  { check: '14/wrong-stream/uploads', evidence: /"code":1007/, faults: ['wrong-error-code'] },
  { check: '5/client-uni-classify', evidence: /no STOP_SENDING/, faults: ['no-stop-sending'] },
  { check: '5/client-uni-direction', evidence: /connection closed/, faults: ['close-on-bad-frame'] },
  { check: '5/extra-bidi', evidence: /no STOP_SENDING/, faults: ['no-stop-sending'] },
  { check: '14/bad-datagram', evidence: /bad datagram/, faults: ['datagram-errors'] },
];

export const ROOM_FALSIFICATIONS: readonly Falsification[] = [
  { check: '9/mapping', evidence: /^on stream \d+$/, faults: ['wrong-shard-mapping'] },
  {
    check: '8/message-ack',
    evidence: listingWithout(/the control stream: /, 'MessageAck'),
    faults: ['no-message-ack'],
  },
  { check: '8/message-ack/nonce', evidence: /-wrong/, faults: ['wrong-nonce'] },
  { check: '8/message-id', evidence: /2, 1, 4, 3/, faults: ['non-monotonic-ids'] },
  {
    check: '8/fan-out',
    evidence: listingWithout(/any streams: /, 'RoomMessage'),
    faults: ['no-sender-echo'],
  },
  { check: '7/join-existing', evidence: onShardWithout('RoomUserJoined'), faults: ['no-join-notify'] },
  { check: '7/leave', evidence: onShardWithout('RoomUserLeft'), faults: ['no-leave-notify'] },
  { check: '7/disconnect', evidence: onShardWithout('RoomUserLeft'), faults: ['no-leave-notify'] },
  { check: '8/edit', evidence: onShardWithout('RoomMessageEdited'), faults: ['no-edit-notify'] },
  { check: '8/delete', evidence: onShardWithout('RoomMessageDeleted'), faults: ['no-delete-notify'] },
  { check: '8/react-add', evidence: onShardWithout('RoomReactionAdded'), faults: ['no-reaction-notify'] },
  {
    check: '8/react-remove',
    evidence: onShardWithout('RoomReactionRemoved'),
    faults: ['no-reaction-notify'],
  },
  {
    check: '7/permissions',
    evidence: listingWithout(/control stream: /, 'Error'),
    faults: ['no-permission-check'],
  },
  { check: '12/pong-echo', evidence: listingWithout(/the control stream: /, 'Pong'), faults: ['no-pong'] },
  { check: '12/goodbye-client', evidence: /connection still open/, faults: ['ignore-goodbye'] },
  { check: '11/typing-relay', evidence: /0 datagrams/, faults: ['no-typing-relay'] },
  { check: '11/presence-relay', evidence: /^0 datagrams/, faults: ['no-presence-relay'] },
  {
    check: '11/presence-generated',
    evidence: /got none \(\d+ datagrams: (?:(?!PresenceOffline)[^)])*\)/,
    faults: ['no-presence-offline'],
  },
  {
    check: '14/one-error/hostile-control',
    evidence: /^control stream: nothing received$/,
    faults: ['crash-on-hostile-frames'],
  },
  {
    check: '14/one-error/hostile-chat-commands',
    evidence: HOSTILE_NO_PONG,
    faults: ['crash-on-hostile-frames'],
  },
  { check: '14/one-error/hostile-acks', evidence: HOSTILE_NO_PONG, faults: ['crash-on-hostile-frames'] },
  { check: '14/one-error/hostile-uploads', evidence: HOSTILE_NO_PONG, faults: ['crash-on-hostile-frames'] },
  {
    check: '14/one-error/hostile-datagram',
    evidence: HOSTILE_NO_PONG,
    faults: ['crash-on-hostile-frames'],
  },
  {
    check: '5/control-ranges/server-frames',
    evidence: /carried MessageAck/,
    faults: ['wrong-stream-for-frame'],
  },
  {
    check: '16.2/membership-events',
    evidence: /members \[cf\w*-large-\d/,
    faults: ['large-room-ignored'],
  },
];

export const HOT_ROOM_FALSIFICATIONS: readonly Falsification[] = [
  { check: '10/promote/below-threshold', evidence: /got RoomPromoted/, faults: ['promote-below-threshold'] },
  { check: '10/promote', evidence: /no RoomPromoted/, faults: ['never-promote'] },
  { check: '10/promote-order', evidence: /shard stream \d+ got \d/, faults: ['hot-frames-on-shard'] },
  {
    check: '10/split-point',
    evidence: /^hot stream: \d+(, \d+)*; shard stream: \d+(, \d+)*$/,
    faults: ['trigger-on-shard'],
  },
  {
    check: '10/demote',
    evidence: /^(demoted -?\d{1,3} ms after|none after \d+ ms;)/,
    faults: ['never-demote', 'early-demote'],
  },
  { check: '10/max-hot', evidence: /3 rooms promoted/, faults: ['ignore-max-hot-rooms'] },
  {
    check: '8/exactly-once',
    evidence: /^(missing \d+|duplicated \d+ x\d)/,
    faults: ['drop-on-switch', 'duplicate-on-switch'],
  },
  { check: '8/per-stream-order', evidence: /^\d+(, \d+)+$/, faults: ['reorder-on-switch'] },
];

export const MODERATION_FALSIFICATIONS: readonly Falsification[] = [
  { check: '7/kick', evidence: /"reason":"left"/, faults: ['kick-reason-left'] },
  {
    check: '7/kick/member-denied',
    evidence: /the command was carried out/,
    faults: ['kick-without-permission-check'],
  },
  { check: '7/set-role', evidence: /"code":1004/, faults: ['set-role-ignored'] },
  { check: '8/rate-limit', evidence: /Error 1006 frames and no Throttle/, faults: ['no-throttle-frame'] },
];

export const UPLOAD_FALSIFICATIONS: readonly Falsification[] = [
  {
    check: '13/upload-start',
    evidence: listingWithout(/the control stream: /, 'UploadAck'),
    faults: ['no-upload-start-ack'],
  },
  {
    check: '13/upload-complete',
    evidence: /^control stream: (?:(?!UploadAck\{[^}]*"url":"garou)[\s\S])*$/,
    faults: ['no-upload-complete-ack'],
  },
  {
    check: '13/filename-sanitize',
    evidence: /"garou:\/\/uploads\/\d+\/\.\.\/my photo\//,
    faults: ['upload-url-unsanitized'],
  },
  { check: '13/upload-complete/checksum', evidence: /: accepted/, faults: ['no-checksum-check'] },
  { check: '13/attachments', evidence: /^\[\]$/, faults: ['attachments-dropped'] },
];

/** The whole table. */
export const FALSIFICATIONS: readonly Falsification[] = [
  ...HANDSHAKE_FALSIFICATIONS,
  ...ISOLATION_FALSIFICATIONS,
  ...DECLARED_ERROR_FALSIFICATIONS,
  ...FRAME_FALSIFICATIONS,
  ...ROOM_FALSIFICATIONS,
  ...MODERATION_FALSIFICATIONS,
  ...UPLOAD_FALSIFICATIONS,
  ...HOT_ROOM_FALSIFICATIONS,
];

/** One (check, fault) pair per row, for it.each. */
export function pairs(
  table: readonly Falsification[],
): { check: string; fault: FaultName; evidence: RegExp }[] {
  return table.flatMap((row) =>
    row.faults.map((fault) => ({ check: row.check, fault, evidence: row.evidence })),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Field-level falsification (test/support/server-faults/field-faults.ts): the right frame at the right time with one field
// wrong, or the right Error with the wrong stream fate. Each row names every check of its scope the fault fails
// (falsification.fields.test.ts runs the whole scope and compares exactly) and the evidence, matched against each
// failure's report of what the server sent (the wrong value), not against the check's expected text.

/**
 * A field-level fault, and the checks of its scope it fails (all others in the scope must pass), each with its
 * evidence: matched against that check's "actual" (what the server did).
 */
export interface FieldFalsification {
  /** A fault of field-faults.ts, or one of faults.ts that rewrites one field. */
  readonly fault: FieldFaultName | FieldLevelFaultName;
  /** The checks run against the fault: every one not in `fails` must pass. */
  readonly scope: readonly string[];
  readonly fails: Readonly<Record<string, RegExp>>;
}

/** Checks of the sections about rooms, messages, datagrams and uploads (hot-room switches and rate limit excluded: slow). */
export const ROOM_FIELD_SCOPE: readonly string[] = [
  '6.4/auto-join',
  '9/mapping',
  '8/message-ack',
  '8/message-ack/nonce',
  '8/message-id',
  '8/fan-out',
  '7/join-existing',
  '7/leave',
  '7/disconnect',
  '8/edit',
  '8/delete',
  '8/react-add',
  '8/react-remove',
  '7/permissions',
  '7/kick',
  '7/kick/member-denied',
  '7/set-role',
  '13/upload-start',
  '13/upload-complete',
  '13/filename-sanitize',
  '13/upload-complete/checksum',
  '13/attachments',
  '12/pong-echo',
  '12/goodbye-client',
  '11/typing-relay',
  '11/presence-relay',
  '11/presence-generated',
];

/** Checks of the handshake (sections 2 and 6). */
export const HANDSHAKE_FIELD_SCOPE: readonly string[] = [
  '2/alpn',
  '6.2/hello-ack',
  '6.2/session-id',
  '6.2/hello-version',
  '6.5/non-hello-first',
  '6.5/bad-header-first',
  '6.5/out-of-sequence',
  '6.3/auth-failed',
  '6.3/auth-ok',
  '6.4/post-auth-order',
  '6.4/shard-assignment',
  '6.4/auto-join',
  '6.5/command-before-auth',
  '6.5/uni-before-auth',
  '6.5/datagram-before-auth',
];

/** Checks about Error frames and the fate of the offending stream or connection. */
export const FATE_FIELD_SCOPE: readonly string[] = [
  '6.5/command-before-auth',
  '6.5/uni-before-auth',
  '14/invalid-payload/control',
  '14/unknown-type/chat-commands',
  '14/oversize/chat-commands',
  '14/truncated/chat-commands',
  '14/invalid-payload/chat-commands',
  '14/wrong-stream/chat-commands',
  '14/unknown-type/acks',
  '14/oversize/acks',
  '14/truncated/acks',
  '14/invalid-payload/acks',
  '14/wrong-stream/acks',
  '14/unknown-type/uploads',
  '14/oversize/uploads',
  '14/truncated/uploads',
  '14/invalid-payload/uploads',
  '14/wrong-stream/uploads',
  '5/client-uni-classify',
  '5/client-uni-direction',
  '5/extra-bidi',
  ...['chat-commands', 'acks', 'uploads'].flatMap((stream) =>
    ['unknown-type', 'oversize', 'truncated', 'invalid-payload', 'wrong-stream'].map(
      (kind) => `14/declared-error/${kind}/${stream}`,
    ),
  ),
  '14/declared-error/uni-classify',
  '14/declared-error/uni-direction',
];

export const FIELD_FALSIFICATIONS: readonly FieldFalsification[] = [
  {
    fault: 'edited-wrong-message-id',
    scope: ROOM_FIELD_SCOPE,
    fails: { '8/edit': /RoomMessageEdited\{"message_id":999999,/ },
  },
  {
    fault: 'edited-wrong-content',
    scope: ROOM_FIELD_SCOPE,
    fails: { '8/edit': /RoomMessageEdited\{[^}]*"content":"tampered"/ },
  },
  {
    fault: 'edited-wrong-editor',
    scope: ROOM_FIELD_SCOPE,
    fails: { '8/edit': /RoomMessageEdited\{[^}]*"editor_id":424242,/ },
  },
  {
    fault: 'deleted-wrong-message-id',
    scope: ROOM_FIELD_SCOPE,
    fails: { '8/delete': /RoomMessageDeleted\{"message_id":999999,/ },
  },
  {
    fault: 'deleted-wrong-deleter',
    scope: ROOM_FIELD_SCOPE,
    fails: { '8/delete': /RoomMessageDeleted\{[^}]*"deleted_by":424242,/ },
  },
  {
    fault: 'reaction-wrong-emoji',
    scope: ROOM_FIELD_SCOPE,
    fails: {
      '8/react-add': /RoomReaction(Added|Removed)\{[^}]*"emoji":"🦖"/u,
      '8/react-remove': /RoomReaction(Added|Removed)\{[^}]*"emoji":"🦖"/u,
    },
  },
  {
    fault: 'reaction-wrong-user',
    scope: ROOM_FIELD_SCOPE,
    fails: {
      '8/react-add': /RoomReaction(Added|Removed)\{[^}]*"user_id":424242,/,
      '8/react-remove': /RoomReaction(Added|Removed)\{[^}]*"user_id":424242,/,
    },
  },
  {
    fault: 'reaction-wrong-message-id',
    scope: ROOM_FIELD_SCOPE,
    fails: {
      '8/react-add': /RoomReaction(Added|Removed)\{"message_id":999999,/,
      '8/react-remove': /RoomReaction(Added|Removed)\{"message_id":999999,/,
    },
  },
  {
    fault: 'left-wrong-user',
    scope: ROOM_FIELD_SCOPE,
    fails: {
      '7/leave': /RoomUserLeft\{[^}]*"user_id":424242,/,
      '7/disconnect': /RoomUserLeft\{[^}]*"user_id":424242,/,
      '7/kick': /RoomUserLeft\{[^}]*"user_id":424242,/,
      '12/goodbye-client': /RoomUserLeft\{[^}]*"user_id":424242,/,
    },
  },
  {
    fault: 'joined-wrong-user',
    scope: ROOM_FIELD_SCOPE,
    fails: {
      '6.4/auto-join': /RoomUserJoined\{[^}]*"user_id":424242,/,
      '7/join-existing': /RoomUserJoined\{[^}]*"user_id":424242,/,
    },
  },
  {
    fault: 'close-reason-kicked',
    scope: ROOM_FIELD_SCOPE,
    fails: { '7/leave': /RoomClose\{[^}]*"reason":"kicked"\}/ },
  },
  {
    fault: 'typing-wrong-user',
    scope: ROOM_FIELD_SCOPE,
    fails: { '11/typing-relay': /Typing\{[^}]*"user_id":424242\}/ },
  },
  {
    fault: 'presence-wrong-user',
    scope: ROOM_FIELD_SCOPE,
    fails: {
      '11/presence-relay': /Presence(Online|Away|Offline)\{"user_id":424242,/,
      '11/presence-generated': /Presence(Online|Away|Offline)\{"user_id":424242,/,
    },
  },
  {
    fault: 'stop-sending-wrong-code',
    scope: FATE_FIELD_SCOPE,
    // Every stream the server aborts: STOP_SENDING carries 1007 instead of 1001 (1003 instead of 1002).
    fails: {
      '6.5/uni-before-auth': /^STOP_SENDING with 1003$/,
      ...Object.fromEntries(
        [
          ...['chat-commands', 'acks', 'uploads'].flatMap((stream) =>
            ['unknown-type', 'oversize', 'wrong-stream'].flatMap((kind) => [
              `14/${kind}/${stream}`,
              `14/declared-error/${kind}/${stream}`,
            ]),
          ),
          '14/declared-error/uni-classify',
          '14/declared-error/uni-direction',
          '5/client-uni-classify',
          '5/client-uni-direction',
        ].map((check) => [
          check,
          check.startsWith('14/declared-error/')
            ? /^STOP_SENDING with 1007 after Error\{code 1001\}$/
            : /^STOP_SENDING with 1007$/,
        ]),
      ),
      // A bidi stream's STOP_SENDING code may be hidden by the RESET_STREAM that comes with it.
      '5/extra-bidi': /^(STOP_SENDING|RESET_STREAM) with 1007$/,
    },
  },
  {
    fault: 'message-wrong-content',
    scope: ROOM_FIELD_SCOPE,
    fails: { '8/fan-out': /"content":"tampered"/ },
  },
  {
    fault: 'message-wrong-sender',
    scope: ROOM_FIELD_SCOPE,
    fails: { '8/fan-out': /"sender":"impostor"/ },
  },
  {
    fault: 'init-members-truncated',
    scope: ROOM_FIELD_SCOPE,
    // Only the owner listed: the joiner is missing.
    fails: { '7/join-existing': /^\["[^"]*join-a-\d+"\]$/ },
  },
  {
    fault: 'init-history-dropped',
    scope: ROOM_FIELD_SCOPE,
    fails: { '7/join-existing': /^\[\]$/ },
  },
  {
    fault: 'upload-ack-wrong-bytes',
    scope: ROOM_FIELD_SCOPE,
    // Each upload's size plus one, as the faulted final UploadAck reports it.
    fails: { '13/upload-complete': /^2501$/, '13/filename-sanitize': /^2$/, '13/attachments': /^1201$/ },
  },
  {
    fault: 'kick-close-wrong-room',
    scope: ROOM_FIELD_SCOPE,
    fails: {
      '7/kick': /RoomClose\{"room_id":777777,"reason":"kicked"\}/,
      '7/set-role': /RoomClose\{"room_id":777777,"reason":"kicked"\}/,
    },
  },
  {
    fault: 'shard-assignment-shifted',
    scope: HANDSHAKE_FIELD_SCOPE,
    fails: { '6.4/shard-assignment': /\{"shard_id":2,"room_ids":\["1"\]\}/ },
  },
  {
    fault: 'hello-ack-wrong-version',
    scope: HANDSHAKE_FIELD_SCOPE,
    fails: { '6.2/hello-ack': /^version 2$/ },
  },
];

// ---------------------------------------------------------------------------------------------------------------
// More field-level rows (issue 19): codes in Error frames, closes and AuthFailed, handshake fields, acks, Throttle,
// uploads, Pong, large rooms and hot rooms.

/** Faults of faults.ts that are field-level: the right frame with one field wrong. */
export type FieldLevelFaultName = 'undeclared-error-code';

/** Every framing, stream-rule and declared-error check (sections 5 and 14, hostile runs excluded: slow). */
const FRAMING_CHECK_IDS: readonly string[] = [...FRAME_CHECKS, ...DECLARED_ERROR_CHECKS].map((c) => c.id);

/** Checks that compare a code the server sends: Error frames, closes, AuthFailed, STOP_SENDING. */
export const CODE_FIELD_SCOPE: readonly string[] = [
  ...HANDSHAKE_FIELD_SCOPE,
  ...FRAMING_CHECK_IDS,
  '7/permissions',
  '7/kick/member-denied',
  '13/upload-complete/checksum',
  '12/goodbye-client',
];

/** The rate limit's check, alone (it waits out a token bucket). */
export const RATE_FIELD_SCOPE: readonly string[] = ['8/rate-limit', '8/message-ack'];

/** Large rooms next to the room checks that read RoomInit. */
export const LARGE_ROOM_FIELD_SCOPE: readonly string[] = [
  '16.2/membership-events',
  '7/join-existing',
  '6.4/auto-join',
];

/** Hot-room checks (the split point and exactly-once runs excluded: slow; their faults are frame-level). */
export const HOT_ROOM_FIELD_SCOPE: readonly string[] = [
  '10/promote/below-threshold',
  '10/promote',
  '10/promote-order',
  '10/demote',
  '10/max-hot',
];

/** Declared codes of the control stream and every client stream class, for the rows below. */
const ABORTED_STREAM_CHECKS: readonly string[] = ['chat-commands', 'acks', 'uploads'].flatMap((stream) =>
  ['unknown-type', 'oversize', 'wrong-stream'].map((kind) => `14/${kind}/${stream}`),
);

/** The Error frames of the framing checks, each with its shifted code (1001 -> 1007, 1007 -> 1001, 1002 -> 1003). */
const SHIFTED_ERROR = /^Error\{"code":(1001|1003|1007),/;

/** Declared-error checks of a client stream the server aborts (STOP_SENDING compared with the Error's code). */
const DECLARED_ABORT_CHECKS: readonly string[] = [
  ...ABORTED_STREAM_CHECKS.map((id) => id.replace(/^14\//, '14/declared-error/')),
  '14/declared-error/uni-classify',
  '14/declared-error/uni-direction',
];

/** The framing and handshake checks whose fate closes the connection. */
const CLOSING_CHECKS: readonly string[] = [
  '6.2/hello-version',
  '6.5/non-hello-first',
  '6.5/bad-header-first',
  '6.5/out-of-sequence',
  '14/unknown-type/control',
  '14/oversize/control',
  '14/truncated/control',
  '14/wrong-stream/control',
];

/** Every framing check that answers with an Error frame (bad datagrams get none; the declared-error twins differ). */
const ERROR_FRAME_CHECKS: readonly string[] = FRAMING_CHECK_IDS.filter(
  (id) => id !== '14/bad-datagram' && !id.startsWith('14/declared-error/'),
);

/** Handshake checks answered with an Error frame. */
const HANDSHAKE_ERROR_CHECKS: readonly string[] = [
  '6.2/hello-version',
  '6.5/non-hello-first',
  '6.5/bad-header-first',
  '6.5/out-of-sequence',
  '6.5/command-before-auth',
  '6.5/uni-before-auth',
];

/** The same evidence for each of `checks`. */
function each(checks: readonly string[], evidence: RegExp): Record<string, RegExp> {
  return Object.fromEntries(checks.map((id) => [id, evidence]));
}

export const MORE_FIELD_FALSIFICATIONS: readonly FieldFalsification[] = [
  {
    fault: 'error-code-shifted',
    scope: CODE_FIELD_SCOPE,
    // Exact codes fail; the declared-error twins pass where the shifted code is still declared and no stream is
    // aborted, and fail where STOP_SENDING (right) and the Error frame (shifted) disagree.
    fails: {
      ...each([...HANDSHAKE_ERROR_CHECKS, ...ERROR_FRAME_CHECKS], SHIFTED_ERROR),
      ...each(DECLARED_ABORT_CHECKS, /^STOP_SENDING with 1001 after Error\{code 1007\}$/),
      ...each(['7/permissions', '7/kick/member-denied'], /^Error\{"code":1005,/),
      '13/upload-complete/checksum': /^Error\{"code":1010,/,
    },
  },
  {
    fault: 'close-code-shifted',
    scope: CODE_FIELD_SCOPE,
    fails: {
      ...each(CLOSING_CHECKS, /connection closed \(peer, application error (1003|1007) "/),
      '12/goodbye-client': /^connection closed \(peer, application error 1 "goodbye"\)$/,
    },
  },
  {
    fault: 'undeclared-error-code',
    scope: CODE_FIELD_SCOPE,
    fails: {
      ...each(
        [
          ...HANDSHAKE_ERROR_CHECKS,
          ...ERROR_FRAME_CHECKS,
          '7/permissions',
          '7/kick/member-denied',
          '13/upload-complete/checksum',
        ],
        /^Error\{"code":1099,/,
      ),
      ...each(
        FRAMING_CHECK_IDS.filter((id) => id.startsWith('14/declared-error/')),
        /^Error\{code 1099\}: not a declared code$/,
      ),
    },
  },
  {
    fault: 'auth-failed-wrong-code',
    scope: HANDSHAKE_FIELD_SCOPE,
    fails: { '6.3/auth-failed': /^AuthFailed\{"code":1004,/ },
  },
  {
    fault: 'session-id-uppercase',
    scope: HANDSHAKE_FIELD_SCOPE,
    fails: { '6.2/session-id': /^"[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[0-9A-F]{4}-[0-9A-F]{12}"$/ },
  },
  {
    fault: 'auth-ok-wrong-username',
    scope: [...HANDSHAKE_FIELD_SCOPE, ...ROOM_FIELD_SCOPE],
    fails: { '6.3/auth-ok': /^"impostor"$/ },
  },
  {
    fault: 'message-ack-wrong-timestamp',
    scope: ROOM_FIELD_SCOPE,
    fails: { '8/message-ack': /^MessageAck\.timestamp 1$/ },
  },
  {
    fault: 'message-wrong-nonce',
    scope: ROOM_FIELD_SCOPE,
    fails: { '8/message-ack/nonce': /^"forged-nonce"$/ },
  },
  {
    fault: 'upload-start-ack-wrong-bytes',
    scope: ROOM_FIELD_SCOPE,
    fails: { '13/upload-start': /"bytes_received":"1","url":null/ },
  },
  {
    fault: 'pong-big-timestamp-off',
    scope: ROOM_FIELD_SCOPE,
    // 2^60 + 12345 echoed as 2^60 + 12346.
    fails: { '12/pong-echo': /Pong\{"timestamp":1152921504606859322\}/ },
  },
  {
    fault: 'throttle-zero-delay',
    scope: RATE_FIELD_SCOPE,
    fails: { '8/rate-limit': /^Throttle\{"room_id":null,"delay_ms":0,/ },
  },
  {
    fault: 'large-init-lists-member',
    scope: LARGE_ROOM_FIELD_SCOPE,
    fails: { '16.2/membership-events': /^members \[impostor\],/ },
  },
  // Hot-room checks share one promotion episode: a fault that hides the promotion from the client (a wrong
  // room id in RoomPromoted) leaves the later checks of the episode without one, so their scopes stop before them.
  {
    fault: 'promoted-wrong-room',
    scope: ['10/promote/below-threshold', '10/promote'],
    fails: { '10/promote': /RoomPromoted\{"room_id":777777,/ },
  },
  {
    fault: 'hot-header-wrong-room',
    scope: ['10/promote/below-threshold', '10/promote', '10/promote-order'],
    fails: { '10/promote-order': /\(hot-room stream\): RoomPromoted\{"room_id":777777,/ },
  },
  {
    fault: 'demoted-wrong-shard',
    scope: HOT_ROOM_FIELD_SCOPE,
    fails: { '10/demote': /^\{"to_shard":200\}$/ },
  },
];

/** Every field-level row. */
export const ALL_FIELD_FALSIFICATIONS: readonly FieldFalsification[] = [
  ...FIELD_FALSIFICATIONS,
  ...MORE_FIELD_FALSIFICATIONS,
];

/** Why no field-level fault applies to a check, and the fault of the right kind (fate, recipients, order) that falsifies it. */
export interface NoFieldFault {
  readonly why: string;
  readonly fault: FaultName;
}

const RECIPIENTS =
  'the rule is about who receives a frame, not what it says (a frame leaked to a non-member)';

/** Checks no field-level fault can falsify, each with the reason and the fault of FALSIFICATIONS that does. */
export const NO_FIELD_FAULT: Readonly<Record<string, NoFieldFault>> = {
  '2/alpn': { why: 'the rule is about TLS negotiation: no frame is exchanged', fault: 'no-alpn-check' },
  '6.4/post-auth-order': {
    why: 'the rule is about the order of frames, each right',
    fault: 'wrong-handshake-order',
  },
  '6.5/datagram-before-auth': {
    why: 'the rule is that nothing is sent (no Error frame): there is no field to get wrong',
    fault: 'datagram-errors',
  },
  '14/bad-datagram': {
    why: 'the rule is that nothing is sent (dropped silently): there is no field to get wrong',
    fault: 'datagram-errors',
  },
  ...Object.fromEntries(
    ['control', 'chat-commands', 'acks', 'uploads', 'datagram'].map((target) => [
      `14/one-error/hostile-${target}`,
      {
        why: 'the rule is that the connection and the server survive (a fate), whatever frames say',
        fault: 'crash-on-hostile-frames' as const,
      },
    ]),
  ),
  '5/control-ranges/server-frames': {
    why: 'the rule is about which stream a frame travels on, not its fields',
    fault: 'wrong-stream-for-frame',
  },
  '9/mapping': {
    why: 'the rule is about which shard stream a room travels on',
    fault: 'wrong-shard-mapping',
  },
  '8/message-id': {
    why: 'ids are how every check matches later frames to a message, so one rewritten id breaks them all; a wrong id in one frame is caught by the edit, delete and reaction rows, the counter order by a frame-level fault',
    fault: 'non-monotonic-ids',
  },
  // Room isolation (8/members-only/*, 11/*/isolation): who receives a frame.
  ...Object.fromEntries(
    ISOLATION_FALSIFICATIONS.map((row) => [
      row.check,
      { why: RECIPIENTS, fault: 'leak-room-frames' as const },
    ]),
  ),
  '8/exactly-once': {
    why: 'the rule is about frames missing or repeated across a switch',
    fault: 'drop-on-switch',
  },
  '8/per-stream-order': {
    why: 'the rule is about the order of frames on a stream',
    fault: 'reorder-on-switch',
  },
  '10/promote/below-threshold': {
    why: 'the rule is that no RoomPromoted is sent: there is no field to get wrong',
    fault: 'promote-below-threshold',
  },
  '10/max-hot': {
    why: 'the rule is that no RoomPromoted is sent beyond max_hot_rooms: there is no field to get wrong',
    fault: 'ignore-max-hot-rooms',
  },
  '10/split-point': {
    why: 'the rule is about which stream carries the trigger message (placement), not its fields',
    fault: 'trigger-on-shard',
  },
};
