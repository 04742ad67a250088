/** Maps field paths of a parsed YAML document back to line and column in the source file. */
import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair } from 'yaml';
import type { SourcePosition } from './types.js';

/** Where to point for a path: at the value, or at the key of the last segment (e.g. for unknown fields). */
export type PositionTarget = 'value' | 'key';

/** Resolves field paths (["phases", 1, "duration"]) to source positions in one YAML document. */
export class YamlSourceMap {
  constructor(
    readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** Position of the node at `path`, or of its deepest existing ancestor when the path does not exist. */
  position(path: ReadonlyArray<string | number>, target: PositionTarget = 'value'): SourcePosition {
    let node: unknown = this.doc.contents;
    let offset = rangeStart(node) ?? 0;
    for (let i = 0; i < path.length; i++) {
      const segment = path[i] as string | number;
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p: Pair) => isScalar(p.key) && String(p.key.value) === String(segment));
        if (!pair) break;
        if (last && target === 'key') {
          offset = rangeStart(pair.key) ?? offset;
          break;
        }
        node = pair.value;
        offset = rangeStart(node) ?? rangeStart(pair.key) ?? offset;
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment];
        if (item === undefined) break;
        node = isPair(item) ? item.value : item;
        offset = rangeStart(node) ?? offset;
      } else {
        break;
      }
    }
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line, column: col };
  }

  /** Position of a byte offset of the source text. */
  offsetPosition(offset: number): SourcePosition {
    const { line, col } = this.lines.linePos(offset);
    return { file: this.file, line, column: col };
  }
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}
