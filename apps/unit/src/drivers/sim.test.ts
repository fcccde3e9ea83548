import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createSimDriver } from './sim';

const log = pino({ level: 'silent' });

describe('sim driver', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('opens the door on a pulse, releases the relay after pulseMs, closes after closeAfterMs', async () => {
    vi.useFakeTimers();
    const sim = createSimDriver({ relays: 2, closeAfterMs: 3000, log });
    const changes: [number, string][] = [];
    sim.onSensorChange((relay, state) => changes.push([relay, state]));

    await sim.pulse(2, 500);
    expect(sim.energised(2)).toBe(true);
    expect(sim.sensorState(2)).toBe('open');
    vi.advanceTimersByTime(500);
    expect(sim.energised(2)).toBe(false);
    vi.advanceTimersByTime(2499);
    expect(sim.sensorState(2)).toBe('open');
    vi.advanceTimersByTime(1);
    expect(changes).toEqual([
      [2, 'open'],
      [2, 'closed'],
    ]);
    expect(sim.sensorState(1)).toBe('closed');
    await sim.close();
  });

  it('simulates forced and held open, emitting only real changes', async () => {
    const sim = createSimDriver({ relays: 1, closeAfterMs: 3000, log });
    const changes: string[] = [];
    const unsubscribe = sim.onSensorChange((_relay, state) =>
      changes.push(state),
    );
    sim.simulate(1, 'forced_open');
    sim.simulate(1, 'forced_open');
    sim.simulate(1, 'held_open');
    unsubscribe();
    sim.simulate(1, 'closed');
    expect(changes).toEqual(['forced_open', 'held_open']);
    await sim.close();
  });

  it('rejects a pulse on a relay it does not have', async () => {
    const sim = createSimDriver({ relays: 1, closeAfterMs: 10, log });
    await expect(sim.pulse(2, 100)).rejects.toThrow('relay 2');
    expect(sim.pulses).toEqual([]);
    await sim.close();
  });
});
