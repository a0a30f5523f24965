/**
 * Finds which of many fixed strings occur in a text, in one pass over the text (Aho-Corasick). The mentions
 * filter asks "is this member's user ID or display name a substring of the message?" for every member of a room;
 * asking `includes` per member costs O(members × text), which in a 10,000-member room is milliseconds per event.
 * The automaton is built once per set of patterns and costs O(text + matches) per search. Matching is exact and
 * case-sensitive, on UTF-16 code units, which for whole strings is the same answer as `String.prototype.includes`.
 */
export interface SubstringIndex {
  /** The indices (into the pattern list) of every pattern that occurs in `text`, added to `found`. */
  collect(text: string, found: Set<number>): void;
}

interface Node {
  readonly next: Map<number, number>;
  fail: number;
  /** Patterns ending here, including those reached through the failure chain (merged at build time). */
  outputs: number[];
}

export function buildSubstringIndex(patterns: readonly string[]): SubstringIndex {
  const nodes: Node[] = [{ next: new Map(), fail: 0, outputs: [] }];
  patterns.forEach((pattern, index) => {
    if (pattern === "") return; // the empty string would match everything; callers never ask for it
    let state = 0;
    for (let i = 0; i < pattern.length; i++) {
      const code = pattern.charCodeAt(i);
      const node = nodes[state] as Node;
      let target = node.next.get(code);
      if (target === undefined) {
        target = nodes.length;
        nodes.push({ next: new Map(), fail: 0, outputs: [] });
        node.next.set(code, target);
      }
      state = target;
    }
    (nodes[state] as Node).outputs.push(index);
  });

  // Breadth-first failure links; each node's outputs absorb those of its failure target.
  const queue: number[] = [];
  for (const child of (nodes[0] as Node).next.values()) queue.push(child);
  for (let head = 0; head < queue.length; head++) {
    const id = queue[head] as number;
    const node = nodes[id] as Node;
    for (const [code, child] of node.next) {
      queue.push(child);
      let fail = node.fail;
      while (fail !== 0 && !(nodes[fail] as Node).next.has(code)) fail = (nodes[fail] as Node).fail;
      const candidate = (nodes[fail] as Node).next.get(code);
      const childNode = nodes[child] as Node;
      childNode.fail = candidate !== undefined && candidate !== child ? candidate : 0;
      const inherited = (nodes[childNode.fail] as Node).outputs;
      if (inherited.length > 0) childNode.outputs = [...childNode.outputs, ...inherited];
    }
  }

  return {
    collect(text, found) {
      let state = 0;
      for (let i = 0; i < text.length; i++) {
        const code = text.charCodeAt(i);
        let next = (nodes[state] as Node).next.get(code);
        while (next === undefined && state !== 0) {
          state = (nodes[state] as Node).fail;
          next = (nodes[state] as Node).next.get(code);
        }
        state = next ?? 0;
        for (const output of (nodes[state] as Node).outputs) found.add(output);
      }
    },
  };
}
