import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { ConfigError, loadConfig } from '@vigil/config';
import { recordContext, startSpan, startTracing, stopTracing, traceHeaders, tracesUrl } from './tracing';

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe(startTracing.name, () => {
  afterEach(() => stopTracing());

  it('is off by default: spans record nothing, carry no header, and record headers are not read', () => {
    const settings = loadConfig({});
    expect(settings.otelExporterOtlpEndpoint).toBeUndefined();
    expect(startTracing(settings, 'test')).toBe(false);
    const attributes = jest.fn(() => ({ 'vigil.samples': 1 }));
    const span = startSpan('ingest publish', { kind: SpanKind.PRODUCER, parent: ROOT_CONTEXT, attributes });
    expect(span.isRecording()).toBe(false);
    expect(attributes).not.toHaveBeenCalled(); // not even computed
    expect(traceHeaders(span)).toBeUndefined();
    expect(recordContext({ traceparent: Buffer.from(TRACEPARENT) })).toBe(ROOT_CONTEXT);
  });

  it('validates its settings: an http(s) endpoint, a ratio from 0 to 1', () => {
    expect(() => loadConfig({ VIGIL_OTEL_SAMPLE_RATIO: '1.5' })).toThrow(ConfigError);
    expect(() => loadConfig({ VIGIL_OTEL_SAMPLE_RATIO: 'half' })).toThrow(/VIGIL_OTEL_SAMPLE_RATIO/);
    expect(() => loadConfig({ VIGIL_OTEL_EXPORTER_OTLP_ENDPOINT: 'tcp://collector:4318' })).toThrow(
      /VIGIL_OTEL_EXPORTER_OTLP_ENDPOINT/,
    );
    const on = loadConfig({
      VIGIL_OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
      VIGIL_OTEL_SAMPLE_RATIO: '0.25',
    });
    expect(on.otelSampleRatio).toBe(0.25);
    expect(tracesUrl(on.otelExporterOtlpEndpoint as string)).toBe('http://collector:4318/v1/traces');
  });

  // Ratio 0: nothing is sampled, so nothing is exported (no I/O); the decision still travels.
  it('on: continues the trace a record header carries, and hands its traceparent on', () => {
    const settings = loadConfig({
      VIGIL_OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
      VIGIL_OTEL_SAMPLE_RATIO: '0',
    });
    expect(startTracing(settings, 'test')).toBe(true);

    const parent = recordContext({ traceparent: Buffer.from(TRACEPARENT) });
    expect(trace.getSpanContext(parent)).toMatchObject({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      isRemote: true,
    });
    const child = startSpan('scorer alert', { kind: SpanKind.PRODUCER, parent });
    expect(child.isRecording()).toBe(true); // the parent was sampled: ratio 0 applies to new traces only
    const headers = traceHeaders(child);
    expect(headers?.traceparent).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
    expect(headers?.traceparent).not.toContain('b7ad6b7169203331');

    const root = startSpan('ingest publish', { kind: SpanKind.PRODUCER, parent: ROOT_CONTEXT });
    expect(root.isRecording()).toBe(false); // ratio 0: not sampled, but the decision travels (flags 00)
    expect(traceHeaders(root)?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    expect(recordContext(undefined)).toBe(ROOT_CONTEXT);
    expect(recordContext({})).toBe(ROOT_CONTEXT);
  });
});
