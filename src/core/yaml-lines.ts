import { type Document, isMap, isSeq, type LineCounter } from 'yaml';

/** The 1-based line of the node at `path` in a parsed YAML document (nearest existing ancestor). */
export function yamlLineOf(
  doc: Document,
  lineCounter: LineCounter,
  path: readonly PropertyKey[],
): number | undefined {
  let node: unknown = doc.contents;
  let line: number | undefined;
  const lineOfNode = (n: unknown) => {
    const range = (n as { range?: [number, number] })?.range;
    return range ? lineCounter.linePos(range[0]).line : undefined;
  };
  line = lineOfNode(node);
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown })?.value === key);
      if (!pair) break;
      line = lineOfNode(pair.key) ?? line;
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number') {
      node = node.items[key];
    } else {
      break;
    }
    line = lineOfNode(node) ?? line;
  }
  return line;
}
