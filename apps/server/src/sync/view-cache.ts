import type { Views } from './views';

/**
 * The last published views per space, in memory, so a write does not re-read `view_state`
 * (the durable copy). Updated only after a commit; a rolled-back write leaves it as it was.
 * It assumes this process is the only writer (one node); a second writing node would need to
 * invalidate it from the bus.
 */
export class ViewCache {
  private spaces = new Map<string, Views>();
  constructor(private maxSpaces = 10_000) {}

  get(spaceId: string): Views | undefined {
    return this.spaces.get(spaceId);
  }

  set(spaceId: string, views: Views): void {
    this.spaces.delete(spaceId);
    if (views.size) this.spaces.set(spaceId, views);
    // Least recently written spaces go first when the cache is full.
    if (this.spaces.size > this.maxSpaces)
      this.spaces.delete(this.spaces.keys().next().value!);
  }
}
