/** Injectable time source: tests move it, production reads the system clock. */
export interface Clock {
  now(): Date;
  /** Clocks that jump (tests) say so, so timers can be re-armed. */
  subscribe?(listener: () => void): () => void;
}
export const systemClock: Clock = { now: () => new Date() };

/** A clock tests can set and advance. */
export class ManualClock implements Clock {
  private listeners = new Set<() => void>();
  constructor(private t: number) {}
  now(): Date {
    return new Date(this.t);
  }
  set(at: Date | string): void {
    this.t = new Date(at).getTime();
    for (const l of this.listeners) l();
  }
  advance(ms: number): void {
    this.set(new Date(this.t + ms));
  }
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
