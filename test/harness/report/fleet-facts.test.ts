/** The console's sentence on the harness's sockets: receive drops and the harness's own send drops are warned of. */
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../harness/metrics/run-result.js';
import { socketFactLine } from '../../../harness/report/fleet-facts.js';

const SOCKETS = {
  sockets: 2,
  receiveBufferBytes: 8 * 1024 * 1024,
  rmemMax: 8 * 1024 * 1024,
  socketsRead: 2,
  drops: 0,
  machineRcvbufErrors: 0,
};

function line(harnessSockets: RunResult['harnessSockets']): string | null {
  return socketFactLine({ harnessSockets } as RunResult);
}

describe('socketFactLine', () => {
  it('says nothing was dropped when neither side dropped', () => {
    const text = line({ ...SOCKETS, sendDrops: 0 });
    expect(text).toContain('no datagram dropped at them');
    expect(text).not.toContain('WARNING');
  });

  it('warns when the harness could not send datagrams', () => {
    expect(line({ ...SOCKETS, sendDrops: 1234 })).toContain(
      "WARNING: 1,234 datagrams could not leave them (the harness's send queue was full)",
    );
  });

  it('warns of receive drops, and reads results without the send count', () => {
    const text = line({ ...SOCKETS, drops: 5 });
    expect(text).toContain('WARNING: the kernel dropped 5 datagrams');
    expect(text).not.toContain('could not leave');
    expect(line(undefined)).toBeNull();
  });
});
