/**
 * The fault switchboard of the reference server (test/support/server-faults/faults.ts, test-only).
 */
import { describe, expect, it } from 'vitest';
import {
  FAULT_NAMES,
  FAULTS_ENV_VAR,
  FaultInjector,
  FaultListError,
  faultsFromEnv,
  parseFaultList,
} from '../../support/server-faults/faults.js';

describe('fault lists', () => {
  it('parses comma-separated names and rejects unknown ones', () => {
    expect([...parseFaultList(' no-pong, wrong-nonce ,,')]).toEqual(['no-pong', 'wrong-nonce']);
    expect(() => parseFaultList('no-pong,typo')).toThrow(FaultListError);
    expect(() => parseFaultList('typo')).toThrow(/unknown server fault "typo"/);
  });

  it('reads GAROU_SERVER_FAULTS, empty when unset', () => {
    expect(faultsFromEnv({}).size).toBe(0);
    expect([...faultsFromEnv({ [FAULTS_ENV_VAR]: 'never-promote' })]).toEqual(['never-promote']);
  });

  it('installs nothing without faults, and accepts the extra ALPN only for no-alpn-check', () => {
    expect(FaultInjector.create(new Set())).toBeNull();
    expect(FaultInjector.create(new Set(['no-pong']))?.alpns).toEqual(['chat']);
    expect(FaultInjector.create(new Set(['no-alpn-check']))?.alpns).toEqual(['chat', 'h3']);
    // Every listed fault can be switched on by name (what GAROU_SERVER_FAULTS passes) and installs an injector.
    for (const fault of FAULT_NAMES) {
      expect([...parseFaultList(fault)]).toEqual([fault]);
      expect(FaultInjector.create(parseFaultList(fault)), fault).not.toBeNull();
    }
  });
});
