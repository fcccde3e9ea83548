import { API_SCOPES } from '@keyway/protocol';
import { markdownTable } from '../docs-table';
import type { RouteDef } from './route';

/** docs/api-keys.md's scope table, from the route table: which routes each scope opens. */
export function scopesTable(routes: readonly RouteDef[]): string {
  const rows = API_SCOPES.map((s) => {
    const opened = routes
      .filter((r) => r.scope === s)
      .map((r) => `\`${r.method} ${r.path}\``);
    return [`\`${s}\``, opened.join('<br>') || '—'];
  });
  return markdownTable(['scope', 'routes'], rows);
}

export const SCOPES_START = '<!-- scopes:start -->';
export const SCOPES_END = '<!-- scopes:end -->';
