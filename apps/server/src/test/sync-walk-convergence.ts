import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import type { ChangeLogMirror } from './sync-backend';
import { freshSnapshot, type SyncPhone } from './sync-phone';
import { viewErrors, type World } from './sync-world';

/** What the convergence checks read from the walk. */
export interface ConvergenceContext {
  url(): string;
  now(): Date;
  world(): World;
  mirror(): ChangeLogMirror;
  /** A token of the phone's user that reads fresh snapshots (not one of the walk's phones). */
  checkerToken(userId: string): string;
  count(what: string): void;
  violation(what: string): void;
}

/**
 * The sync walk's checks at a checkpoint, once every phone is connected again: each phone
 * converges to a fresh snapshot of its user, which is what the model says she may see; and the
 * published views (every audience: phones, dashboards, units) equal a whole rebuild.
 */
export class ConvergenceChecker {
  constructor(private ctx: ConvergenceContext) {}

  /** Waits until the phone holds exactly a fresh snapshot of its user, and that matches the model. */
  async converge(p: SyncPhone): Promise<void> {
    const deadline = Date.now() + 15_000;
    let last = '';
    for (;;) {
      const snap = await freshSnapshot(
        this.ctx.url(),
        this.ctx.checkerToken(p.userId),
      );
      const errors = viewErrors(
        this.ctx.world(),
        p.userId,
        snap.view,
        this.ctx.now(),
      );
      const diff = viewDiff(p.view, snap.view);
      if (!errors.length && !diff.length) {
        this.ctx.count('converged');
        return;
      }
      last = [
        ...errors.slice(0, 10).map((e) => `snapshot vs model: ${e}`),
        ...diff.slice(0, 10).map((e) => `phone vs snapshot: ${e}`),
      ].join('\n    ');
      if (Date.now() > deadline) break;
      await sleep(100);
    }
    this.ctx.violation(
      `${p.label} did not converge (cursor ${p.cursor}, connections ${p.connections.length}):\n    ${last}`,
    );
  }

  /** Published views (every audience: phones, dashboards, units) = a whole rebuild now. */
  async checkPublished(): Promise<void> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const drift = await this.ctx.mirror().publishedDrift(this.ctx.now());
      if (!drift.length) {
        this.ctx.count('published = rebuilt');
        return;
      }
      if (Date.now() > deadline) {
        this.ctx.violation(
          `published views differ from a whole rebuild:\n    ${drift.slice(0, 10).join('\n    ')}`,
        );
        return;
      }
      await sleep(100);
    }
  }
}

function viewDiff(
  view: Map<string, unknown>,
  snap: Record<string, unknown>,
): string[] {
  const out: string[] = [];
  for (const [k, v] of view) {
    if (!(k in snap)) out.push(`extra ${k}`);
    else if (!isDeepStrictEqual(v, snap[k]))
      out.push(
        `stale ${k}: ${JSON.stringify(v)} vs ${JSON.stringify(snap[k])}`,
      );
  }
  for (const k of Object.keys(snap)) if (!view.has(k)) out.push(`missing ${k}`);
  return out;
}
