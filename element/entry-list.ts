/**
 * The message list's DOM, one node per entry for as long as the entry is listed. Entries only join at
 * the end and leave from the front (or all at once), so this is all the keying the list needs: a
 * trimmed list moves no text between nodes (a screen reader hears only what is new), at a fraction of
 * the bytes of Lit's `repeat`, which handles any reordering.
 */
export class EntryList<T extends object> {
  readonly #nodes = new Map<T, HTMLElement>();

  /** Makes `container`'s children one node per item, in order; `update` renders each into its node. */
  sync(container: HTMLElement, items: readonly T[], update: (item: T, node: HTMLElement) => void): void {
    const listed = new Set(items);
    for (const [item, node] of this.#nodes) {
      if (listed.has(item)) continue;
      node.remove();
      this.#nodes.delete(item);
    }
    for (const item of items) {
      let node = this.#nodes.get(item);
      if (!node) this.#nodes.set(item, (node = container.appendChild(document.createElement("div"))));
      update(item, node);
    }
  }
}
