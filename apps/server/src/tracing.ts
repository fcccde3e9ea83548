import {
  type Attributes,
  type Span,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  NodeTracerProvider,
} from '@opentelemetry/sdk-trace-node';

const tracer = trace.getTracer('keyway');

/**
 * OpenTelemetry for the open path. Spans are made through `@opentelemetry/api`, which does
 * nothing until a provider is registered: only when OTEL_EXPORTER_OTLP_ENDPOINT is set does
 * this register one that exports over OTLP/HTTP (the exporter reads the standard OTEL_*
 * variables itself). Returns the flush-and-stop to call at shutdown.
 */
export function startTracing(
  env: Record<string, string | undefined> = process.env,
): (() => Promise<void>) | undefined {
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.replace(/\/$/, '');
  const url =
    env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    (base ? `${base}/v1/traces` : undefined);
  if (!url) return undefined;
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      'service.name': env.OTEL_SERVICE_NAME ?? 'keyway',
    }),
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter({ url }), {
        scheduledDelayMillis: Number(env.OTEL_BSP_SCHEDULE_DELAY ?? 5000),
      }),
    ],
  });
  provider.register();
  return async () => {
    await provider.shutdown();
    trace.disable();
  };
}

/** Runs `fn` in a span; an error ends it with its stable code (`keyway.error`) and status ERROR. */
export function inSpan<T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      span.setAttribute(
        'keyway.error',
        typeof code === 'string' ? code : 'internal',
      );
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: (err as Error).message,
      });
      throw err;
    } finally {
      span.end();
    }
  });
}
