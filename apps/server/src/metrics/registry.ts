import {
  Counter,
  collectDefaultMetrics,
  Gauge,
  Histogram,
  Registry,
} from 'prom-client';

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Everything `GET /metrics` shows (Prometheus text format, names `keyway_*` as API.md lists,
 * plus Node's process metrics: CPU, memory, event-loop lag). Counters and histograms are
 * moved where things happen (metrics/wire.ts); gauges read the live state when scraped.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly r = [this.registry];

  readonly opens = new Counter({
    name: 'keyway_opens_total',
    help: 'Open attempts by result (granted, denied, unit_offline, unit_timeout, or what the unit acked: unit_failed, command_expired, …) and reason.',
    labelNames: ['result', 'reason'] as const,
    registers: this.r,
  });
  readonly openDuration = new Histogram({
    name: 'keyway_open_duration_seconds',
    help: 'Open round trip: command sent to the unit until its ack (or the timeout).',
    buckets: SECONDS,
    registers: this.r,
  });
  readonly pushDuration = new Histogram({
    name: 'keyway_push_duration_seconds',
    help: "Commit to push: a change's commit time until this node handed it to its sockets and units.",
    buckets: SECONDS,
    registers: this.r,
  });
  readonly http = new Histogram({
    name: 'keyway_http_request_duration_seconds',
    help: 'HTTP requests by method, route and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: SECONDS,
    registers: this.r,
  });
  readonly dbQuery = new Histogram({
    name: 'keyway_db_query_duration_seconds',
    help: 'Database queries by outcome (ok, error).',
    labelNames: ['outcome'] as const,
    buckets: [0.0005, 0.001, 0.0025, ...SECONDS],
    registers: this.r,
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  gauge(
    name: string,
    help: string,
    labelNames: readonly string[],
    collect: (g: Gauge<string>) => void | Promise<void>,
  ): void {
    new Gauge({
      name,
      help,
      labelNames,
      registers: this.r,
      async collect() {
        await collect(this);
      },
    });
  }

  /** A counter whose values live elsewhere (monotonic tallies read when scraped). */
  tally(
    name: string,
    help: string,
    labelNames: readonly string[],
    read: () => [Record<string, string>, number][],
  ): void {
    new Counter({
      name,
      help,
      labelNames,
      registers: this.r,
      collect() {
        this.reset();
        for (const [labels, v] of read()) this.inc(labels, v);
      },
    });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
