import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EmbeddedServer } from '../../../harness/runner/embedded-server.js';
import { DEFAULT_HOT_ROOMS } from '../../../harness/scenario/index.js';
import { YOUNG_GENERATION_FLAG, withYoungGenerationFlag } from '../../../harness/runner/young-generation.js';

describe('withYoungGenerationFlag', () => {
  it('appends the semi-space cap to the arguments it is given, without changing them', () => {
    const argv = ['--import', 'tsx'];
    expect(withYoungGenerationFlag(argv, [], '')).toEqual(['--import', 'tsx', YOUNG_GENERATION_FLAG]);
    expect(argv).toEqual(['--import', 'tsx']);
  });

  it("keeps the child's own semi-space size", () => {
    expect(withYoungGenerationFlag(['--max-semi-space-size=64'], [], '')).toEqual([
      '--max-semi-space-size=64',
    ]);
    expect(withYoungGenerationFlag(['--max_semi_space_size', '8'], [], '')).toEqual([
      '--max_semi_space_size',
      '8',
    ]);
  });

  it('passes on the size this process was started with, in either spelling', () => {
    expect(withYoungGenerationFlag([], ['--max-semi-space-size=16', '--inspect'], '')).toEqual([
      '--max-semi-space-size=16',
    ]);
    expect(withYoungGenerationFlag(['--import', 'tsx'], ['--max-semi-space-size', '8'], '')).toEqual([
      '--import',
      'tsx',
      '--max-semi-space-size',
      '8',
    ]);
  });

  it('adds nothing when NODE_OPTIONS, which the child inherits, sets a size', () => {
    expect(withYoungGenerationFlag([], [], '--inspect --max-semi-space-size=32')).toEqual([]);
  });

  it('is not fooled by other flags that merely start alike', () => {
    expect(
      withYoungGenerationFlag(['--max-old-space-size=4096'], ['--max-semi'], '--max-semi-space'),
    ).toEqual(['--max-old-space-size=4096', YOUNG_GENERATION_FLAG]);
  });
});

describe('the embedded server', () => {
  it.runIf(process.platform === 'linux')(
    'runs with the semi-space cap',
    async () => {
      const server = await EmbeddedServer.start({ numShards: 8, hotRooms: DEFAULT_HOT_ROOMS });
      try {
        const argv = readFileSync(`/proc/${server.pid}/cmdline`, 'utf8').split('\0');
        expect(argv).toContain(YOUNG_GENERATION_FLAG);
      } finally {
        await server.stop();
      }
    },
    30_000,
  );
});
