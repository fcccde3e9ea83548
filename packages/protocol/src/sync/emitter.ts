/** A minimal typed event emitter: the protocol package runs in browsers, so no Node `events`. */
export class Emitter<T extends object> {
  readonly #listeners = new Map<keyof T, Set<(value: never) => void>>();

  on<E extends keyof T>(event: E, fn: (value: T[E]) => void): () => void {
    const set = this.#listeners.get(event) ?? new Set();
    this.#listeners.set(event, set);
    set.add(fn);
    return () => set.delete(fn);
  }

  emit<E extends keyof T>(event: E, value: T[E]): void {
    for (const fn of [...(this.#listeners.get(event) ?? [])]) {
      try {
        (fn as (value: T[E]) => void)(value);
      } catch (e) {
        // A throwing listener must not wedge the emitter's owner; report it the way EventTarget does.
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  }
}
