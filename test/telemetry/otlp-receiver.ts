import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import protobuf from 'protobufjs';

// The subset of the OTLP protos (opentelemetry-proto v1) the tests read; unknown fields are skipped.
const OTLP_PROTO = `
syntax = "proto3";
package otlp;
message AnyValue { oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; } }
message KeyValue { string key = 1; AnyValue value = 2; }
message Resource { repeated KeyValue attributes = 1; }
message InstrumentationScope { string name = 1; string version = 2; }
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }
message Span {
  bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4; string name = 5;
  int32 kind = 6; fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9; repeated Event events = 11; Status status = 15;
}
message Status { string message = 2; int32 code = 3; }
message Event { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3; }
message ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1; }
message ResourceMetrics { Resource resource = 1; repeated ScopeMetrics scope_metrics = 2; }
message ScopeMetrics { InstrumentationScope scope = 1; repeated Metric metrics = 2; }
message Metric { string name = 1; string description = 2; string unit = 3; Gauge gauge = 5; Sum sum = 7; Histogram histogram = 9; }
message Gauge { repeated NumberDataPoint data_points = 1; }
message Sum { repeated NumberDataPoint data_points = 1; int32 aggregation_temporality = 2; bool is_monotonic = 3; }
message Histogram { repeated HistogramDataPoint data_points = 1; int32 aggregation_temporality = 2; }
message NumberDataPoint { repeated KeyValue attributes = 7; double as_double = 4; sfixed64 as_int = 6; }
message HistogramDataPoint {
  repeated KeyValue attributes = 9; fixed64 count = 4; double sum = 5; repeated fixed64 bucket_counts = 6;
  repeated double explicit_bounds = 7;
}
`;
const root = protobuf.parse(OTLP_PROTO).root;
const TraceRequest = root.lookupType('otlp.ExportTraceServiceRequest');
const MetricsRequest = root.lookupType('otlp.ExportMetricsServiceRequest');

export type Attributes = Record<string, string | number | boolean>;

export interface ReceivedSpan {
  name: string;
  kind: number;
  scope: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  traceState: string;
  /** 0 unset, 1 ok, 2 error */
  statusCode: number;
  attributes: Attributes;
  events: { name: string; attributes: Attributes }[];
  resource: Attributes;
}

export interface ReceivedPoint {
  attributes: Attributes;
  value?: number;
  count?: number;
  bounds?: number[];
  bucketCounts?: number[];
}

export interface ReceivedMetric {
  name: string;
  unit: string;
  scope: string;
  kind: 'gauge' | 'sum' | 'histogram';
  points: ReceivedPoint[];
  resource: Attributes;
}

interface Request {
  path: string;
  contentType: string;
  headers: Record<string, string | string[] | undefined>;
}

// biome-ignore lint/suspicious/noExplicitAny: decoded OTLP payloads are loosely shaped on purpose
type Loose = any;

function attributesOf(list: Loose[] | undefined): Attributes {
  const out: Attributes = {};
  for (const kv of list ?? []) {
    const v = kv.value ?? {};
    const value =
      v.stringValue ?? v.boolValue ?? v.doubleValue ?? (v.intValue === undefined ? undefined : Number(v.intValue));
    if (value !== undefined) out[kv.key] = value;
  }
  return out;
}

function hex(id: unknown): string {
  if (id === undefined || id === null) return '';
  if (typeof id === 'string') return /^[0-9a-f]*$/.test(id) ? id : Buffer.from(id, 'base64').toString('hex');
  return Buffer.from(id as Uint8Array).toString('hex');
}

/** An OTLP/HTTP receiver on 127.0.0.1 that decodes http/json and http/protobuf exports of traces and metrics. */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  readonly metrics: ReceivedMetric[] = [];
  readonly requests: Request[] = [];
  private server?: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const contentType = req.headers['content-type'] ?? '';
        this.requests.push({ path: req.url ?? '', contentType, headers: req.headers });
        try {
          const json = contentType.includes('json');
          if (req.url === '/v1/traces')
            this.addTraces(json ? JSON.parse(body.toString()) : this.decode(TraceRequest, body));
          else if (req.url === '/v1/metrics')
            this.addMetrics(json ? JSON.parse(body.toString()) : this.decode(MetricsRequest, body));
          res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
          res.end(json ? '{}' : '');
        } catch (error) {
          res.writeHead(400);
          res.end(String(error));
        }
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private decode(type: protobuf.Type, body: Buffer): Loose {
    return type.toObject(type.decode(body), { longs: Number, bytes: String, defaults: false, arrays: true });
  }

  private addTraces(request: Loose): void {
    for (const rs of request.resourceSpans ?? []) {
      const resource = attributesOf(rs.resource?.attributes);
      for (const ss of rs.scopeSpans ?? []) {
        for (const s of ss.spans ?? []) {
          this.spans.push({
            name: s.name,
            kind: Number(s.kind ?? 0),
            scope: ss.scope?.name ?? '',
            traceId: hex(s.traceId),
            spanId: hex(s.spanId),
            parentSpanId: hex(s.parentSpanId),
            traceState: s.traceState ?? '',
            statusCode: Number(s.status?.code ?? 0),
            attributes: attributesOf(s.attributes),
            events: (s.events ?? []).map((e: Loose) => ({ name: e.name, attributes: attributesOf(e.attributes) })),
            resource,
          });
        }
      }
    }
  }

  private addMetrics(request: Loose): void {
    for (const rm of request.resourceMetrics ?? []) {
      const resource = attributesOf(rm.resource?.attributes);
      for (const sm of rm.scopeMetrics ?? []) {
        for (const m of sm.metrics ?? []) {
          const kind = m.histogram ? 'histogram' : m.sum ? 'sum' : 'gauge';
          const points = (m.histogram ?? m.sum ?? m.gauge)?.dataPoints ?? [];
          this.metrics.push({
            name: m.name,
            unit: m.unit ?? '',
            scope: sm.scope?.name ?? '',
            kind,
            resource,
            points: points.map((p: Loose) => ({
              attributes: attributesOf(p.attributes),
              value: p.asDouble ?? (p.asInt === undefined ? undefined : Number(p.asInt)),
              count: p.count === undefined ? undefined : Number(p.count),
              bounds: p.explicitBounds,
              bucketCounts: p.bucketCounts?.map(Number),
            })),
          });
        }
      }
    }
  }
}
