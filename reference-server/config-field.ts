/**
 * How a configuration field is described: its flag, its config-file key, the kind of value and its bounds. The
 * server's config (config.ts) and the hardening settings (hardening-config.ts) both list their fields with it.
 */

/** Kind of value a configuration field holds; drives parsing and validation. */
export type ConfigFieldKind = 'int' | 'number' | 'string' | 'nullable-string' | 'nullable-port' | 'log-level';

/** Description of one configuration field; `Key` is the config property it sets. */
export interface ConfigField<Key extends string> {
  key: Key;
  /** Long flag name without dashes, e.g. "num-shards". */
  flag: string;
  /** Key in a JSON/YAML config file, e.g. "num_shards". */
  fileKey: string;
  kind: ConfigFieldKind;
  min?: number;
  max?: number;
  description: string;
}
