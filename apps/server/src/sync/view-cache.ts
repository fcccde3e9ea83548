import type { Views } from './views';

/** A space's published views as this node last knew them, and the version they were at. */
export interface CachedViews {
  views: Views;
  /** The space's `view_versions` token when these views were current ('' before any write). */
  version: string;
}

/**
 * The last published views per space, in memory, so a write does not re-read `view_state`
 * (the durable copy). Updated only after a commit; a rolled-back write leaves it as it was.
 * With several nodes writing, an entry is used only while its version is the one the database
 * holds (read under the change-log lock, see changelog.ts): another node's write to the space
 * replaced the token, and the views are read again. No change is computed from a stale copy.
 */
export class ViewCache {
  private spaces = new Map<string, CachedViews>();
  constructor(private maxSpaces = 10_000) {}

  get(spaceId: string): CachedViews | undefined {
    return this.spaces.get(spaceId);
  }

  set(spaceId: string, views: Views, version: string): void {
    this.spaces.delete(spaceId);
    if (views.size) this.spaces.set(spaceId, { views, version });
    // Least recently written spaces go first when the cache is full.
    if (this.spaces.size > this.maxSpaces)
      this.spaces.delete(this.spaces.keys().next().value!);
  }
}
