/**
 * waitUntil without a server: it resolves on the event that satisfies it, fails at its timeout with expected vs
 * actual, and fails at once when the connection closes unless the wait allows that.
 */
import { describe, expect, it } from 'vitest';
import { waitUntil } from '../../../harness/conformance/bounded-wait.js';
import { CheckFailed } from '../../../harness/conformance/check-verdict.js';
import { ProbeRecording } from '../../../harness/conformance/probe-recording.js';
import { encodeFrame } from '../../../spec/index.js';
import { HandFedRecording } from './hand-fed-recording.js';

const pong = (recording: HandFedRecording, timestamp: number) =>
  recording.data(0, encodeFrame('Pong', { timestamp }));

const pongOf = (recording: ProbeRecording, timestamp: number) =>
  recording.payloads('control', 'Pong').find((p) => p.timestamp === timestamp);

describe('waitUntil', () => {
  it('resolves with what the condition returns once an event satisfies it', async () => {
    const recording = new HandFedRecording();
    const wait = waitUntil(recording, () => pongOf(recording, 2), { timeoutMs: 2000, expected: 'Pong 2' });
    pong(recording, 1);
    pong(recording, 2);
    await expect(wait).resolves.toEqual({ timestamp: 2 });
  });

  it('fails at its timeout with expected and what the recording shows', async () => {
    const recording = new HandFedRecording();
    pong(recording, 1);
    const failure = await waitUntil(recording, () => pongOf(recording, 2), {
      timeoutMs: 30,
      expected: 'Pong 2',
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CheckFailed);
    expect((failure as CheckFailed).expected).toBe('Pong 2 within 30 ms');
    expect((failure as CheckFailed).actual).toMatch(/^control stream: Pong/);
  });

  it('fails when the connection closes, and keeps waiting when the wait allows a close', async () => {
    const recording = new HandFedRecording();
    const strict = waitUntil(recording, () => pongOf(recording, 2), { timeoutMs: 5000, expected: 'Pong 2' });
    const lenient = waitUntil(recording, () => recording.closeInfo, {
      timeoutMs: 5000,
      expected: 'a close',
      allowClosed: true,
    });
    recording.close();
    await expect(strict).rejects.toThrow(/Pong 2 within 5000 ms/);
    await expect(lenient).resolves.toMatchObject({ cause: 'peer' });
  });
});
