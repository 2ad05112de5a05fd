import {
  type Attributes,
  type Context,
  INVALID_SPAN_CONTEXT,
  type Link,
  propagation,
  ROOT_CONTEXT,
  type Span,
  type SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  trace,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { type IHeaders } from 'kafkajs';
import { type Settings } from '@vigil/config';

/** The W3C Trace Context header, on Kafka records as on HTTP requests. */
export const TRACEPARENT = 'traceparent';

export type TracingSettings = Pick<Settings, 'otelExporterOtlpEndpoint' | 'otelSampleRatio'>;

/** The one tracer provider of this process (null: tracing off, every span below is the no-op span). */
let provider: BasicTracerProvider | null = null;

/** A span that records nothing: what every start returns while tracing is off (no allocation). */
const NOOP_SPAN: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/** The endpoint's OTLP/HTTP traces URL (the base URL of a collector, as OTEL_EXPORTER_OTLP_ENDPOINT). */
export const tracesUrl = (endpoint: string): string => `${endpoint.replace(/\/+$/, '')}/v1/traces`;

/**
 * Starts tracing for this process when VIGIL_OTEL_EXPORTER_OTLP_ENDPOINT is set: spans are batched
 * (bounded queue: spans beyond it are dropped, never held in memory) and exported as OTLP/HTTP JSON;
 * ingest's root spans are sampled at VIGIL_OTEL_SAMPLE_RATIO, every other span follows its parent's
 * decision (traceparent). Off (the default): nothing is registered, and the helpers below return
 * at once. Idempotent.
 */
export function startTracing(settings: TracingSettings, service: string): boolean {
  const endpoint = settings.otelExporterOtlpEndpoint;
  if (endpoint === undefined || provider !== null) return provider !== null;
  provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: `vigil-${service}` }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(settings.otelSampleRatio) }),
    spanProcessors: [
      new BatchSpanProcessor(
        new OTLPTraceExporter({
          url: tracesUrl(endpoint),
          timeoutMillis: 10_000,
        }),
        {
          maxQueueSize: 4096,
          maxExportBatchSize: 512,
          scheduledDelayMillis: 1000,
          exportTimeoutMillis: 10_000,
        },
      ),
    ],
  });
  trace.setGlobalTracerProvider(provider);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  return true;
}

/** Exports what is buffered and stops (on shutdown). Nothing to do when tracing is off. */
export async function stopTracing(): Promise<void> {
  const p = provider;
  if (p === null) return;
  provider = null;
  await p.shutdown();
  trace.disable();
  propagation.disable();
}

export const tracingEnabled = (): boolean => provider !== null;

export interface SpanOptions {
  readonly kind: SpanKind;
  /** The context the span continues (a record's `trace`); ROOT_CONTEXT starts a trace. */
  readonly parent: Context;
  /** Computed only when the span records (tracing on and sampled): keep pseudonyms here, never ids. */
  readonly attributes?: () => Attributes;
  readonly links?: readonly Link[];
}

/** A span of Vigil's tracer; the no-op span when tracing is off. */
export function startSpan(name: string, options: SpanOptions): Span {
  if (provider === null) return NOOP_SPAN;
  const span = trace
    .getTracer('vigil')
    .startSpan(
      name,
      { kind: options.kind, links: options.links ? [...options.links] : undefined },
      options.parent,
    );
  if (span.isRecording() && options.attributes) span.setAttributes(options.attributes());
  return span;
}

/** Ends a span, as failed when there is an error. */
export function endSpan(span: Span, error?: unknown): void {
  if (error !== undefined && span.isRecording()) {
    // The message only (a name and text of ours or of a client library), never a record's values.
    const message = error instanceof Error ? error.message : typeof error === 'string' ? error : 'failed';
    span.recordException(error instanceof Error ? error : message);
    span.setStatus({ code: SpanStatusCode.ERROR, message });
  }
  span.end();
}

/** The traceparent (and tracestate) of `span`, for a Kafka record or an HTTP request; undefined when off. */
export function traceHeaders(span: Span): Record<string, string> | undefined {
  if (provider === null || span === NOOP_SPAN) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(ROOT_CONTEXT, span), carrier);
  return TRACEPARENT in carrier ? carrier : undefined;
}

const headerGetter: TextMapGetter<IHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    if (value === undefined) return undefined;
    return Array.isArray(value) ? value.map((v) => v.toString()) : value.toString();
  },
};

/**
 * The trace context a Kafka record carries in its traceparent header (for the consumer edge):
 * ROOT_CONTEXT when tracing is off (headers are not even looked at) or the record has none.
 */
export function recordContext(headers: IHeaders | undefined): Context {
  if (provider === null || headers === undefined || headers[TRACEPARENT] === undefined) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, headers, headerGetter);
}
