import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CONFIG_FIELDS,
  ConfigError,
  DEFAULT_CONFIG,
  parseConfigText,
  readConfigFile,
  resolveConfig,
} from '../../reference-server/config.js';

describe('config', () => {
  it('defaults match the original garou defaults', () => {
    const config = resolveConfig();
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 4433,
      numShards: 8,
      promoteRate: 100,
      demoteRate: 20,
      coolDownMs: 60_000,
      rateWindowMs: 10_000,
      maxHotRooms: 10,
      maxConnections: 10_000,
      idleTimeoutMs: 300_000,
      historySize: 50,
      maxRoomMembers: 10_000,
      largeRoomThreshold: 50,
      maxRooms: 100_000,
      maxUploadBytes: 64 * 1024 * 1024,
      maxContentBytes: 65_536,
      rateLimitPerSec: 1000,
      rateLimitBurst: 2000,
      pingIntervalMs: 30_000,
      dataDir: null,
      metricsPort: null,
    });
  });

  it('has one field per config key, with unique flags and file keys', () => {
    const keys = CONFIG_FIELDS.map((f) => f.key).sort();
    expect(keys).toEqual(Object.keys(DEFAULT_CONFIG).sort());
    expect(new Set(CONFIG_FIELDS.map((f) => f.flag)).size).toBe(CONFIG_FIELDS.length);
    expect(new Set(CONFIG_FIELDS.map((f) => f.fileKey)).size).toBe(CONFIG_FIELDS.length);
  });

  it('file settings override defaults and flags override the file', () => {
    const config = resolveConfig({ num_shards: 4, port: 5000 }, { port: '6000' });
    expect(config.numShards).toBe(4);
    expect(config.port).toBe(6000);
  });

  it('max_rooms comes from the file key or the --max-rooms flag', () => {
    expect(resolveConfig({ max_rooms: 3 }).maxRooms).toBe(3);
    expect(resolveConfig({ max_rooms: 3 }, { maxRooms: '7' }).maxRooms).toBe(7);
  });

  it('parses YAML and JSON config text', () => {
    expect(parseConfigText('num_shards: 3\nlog_level: debug\n', 'yaml')).toEqual({
      num_shards: 3,
      log_level: 'debug',
    });
    expect(parseConfigText('{"max_hot_rooms": 2}', 'json')).toEqual({ max_hot_rooms: 2 });
    expect(parseConfigText('', 'yaml')).toEqual({});
  });

  it('reads a file by extension', () => {
    const dir = mkdtempSync(join(tmpdir(), 'garou-config-'));
    writeFileSync(join(dir, 'a.json'), '{"promote_rate": 50}');
    writeFileSync(join(dir, 'b.yaml'), 'promote_rate: 40\n');
    expect(resolveConfig(readConfigFile(join(dir, 'a.json'))).promoteRate).toBe(50);
    expect(resolveConfig(readConfigFile(join(dir, 'b.yaml'))).promoteRate).toBe(40);
    expect(() => readConfigFile(join(dir, 'missing.yaml'))).toThrow(ConfigError);
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    [{ num_shards: 0 }, {}, 'num_shards'],
    [{ num_shards: 256 }, {}, 'num_shards'],
    [{ num_shards: 2.5 }, {}, 'num_shards'],
    [{ port: 'abc' }, {}, 'port'],
    [{ log_level: 'loud' }, {}, 'log_level'],
    [{ nmu_shards: 3 }, {}, 'nmu_shards'],
    [{ rate_window_ms: 50 }, {}, 'rate_window_ms'],
    [{}, { numShards: '-1' }, '--num-shards'],
    [{}, { metricsPort: '70000' }, '--metrics-port'],
    [{ promote_rate: 10, demote_rate: 20 }, {}, 'demote_rate'],
    [{ cert: '/x.pem' }, {}, 'key'],
    [{ host: '' }, {}, 'host'],
    [{ num_shards: 95 }, {}, 'num_shards'], // 95 + 10 hot rooms > 100 streams
    [{ max_rooms: 0 }, {}, 'max_rooms'],
    [{}, { maxRooms: '1e9' }, '--max-rooms'],
  ])('rejects %j / %j naming %s', (file, flags, field) => {
    try {
      resolveConfig(file, flags);
      expect.unreachable('should have thrown');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).field).toBe(field);
      expect((err as ConfigError).message).toContain(field);
    }
  });

  it('reports unparseable files and non-mapping documents', () => {
    expect(() => parseConfigText('{', 'json', 'x.json')).toThrow(/x\.json.*JSON/);
    expect(() => parseConfigText('- 1\n- 2\n', 'yaml', 'x.yaml')).toThrow(/mapping/);
  });

  it('accepts null for nullable settings in a file', () => {
    const config = resolveConfig({ data_dir: null, metrics_port: null, token_secret: 's' });
    expect(config.dataDir).toBeNull();
    expect(config.tokenSecret).toBe('s');
  });
});
