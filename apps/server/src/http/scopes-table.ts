import { API_SCOPES } from '@keyway/protocol';
import type { RouteDef } from './route';

/** docs/api-keys.md's scope table, from the route table: which routes each scope opens. */
export function scopesTable(routes: readonly RouteDef[]): string {
  const rows = API_SCOPES.map((s) => {
    const opened = routes
      .filter((r) => r.scope === s)
      .map((r) => `\`${r.method} ${r.path}\``);
    return [`\`${s}\``, opened.join('<br>') || '—'];
  });
  const head = ['scope', 'routes'];
  const width = head.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => c.padEnd(width[i] ?? 0)).join(' | ')} |`;
  return [
    line(head),
    `| ${width.map((w) => '-'.repeat(w)).join(' | ')} |`,
    ...rows.map(line),
  ].join('\n');
}

export const SCOPES_START = '<!-- scopes:start -->';
export const SCOPES_END = '<!-- scopes:end -->';
