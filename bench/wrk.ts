import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

// wrk (https://github.com/wg/wrk) as the load generator of bench/gateway.ts: its own C process, so the
// figures measure the server under test rather than a Node client sharing its event loop.

export interface WrkOptions {
  threads: number;
  connections: number;
  seconds: number;
  headers?: Record<string, string>;
}

export interface WrkResult {
  /** responses wrk read to the end, whatever their status */
  requests: number;
  seconds: number;
  requestsPerSec: number;
  /** answers with a status outside 200-399, included in `requests` */
  non2xx: number;
  socketErrors: { connect: number; read: number; write: number; timeout: number };
  latencyMs: { p50: number; p75: number; p90: number; p99: number };
}

const TIME_UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "635.91us", "1.20ms", "2.00s", "1.00m" in milliseconds. */
export function wrkTimeMs(text: string): number {
  const match = /^([\d.]+)(us|ms|s|m|h)$/.exec(text.trim());
  if (!match) throw new Error(`not a wrk duration: ${text}`);
  return Number(match[1]) * TIME_UNIT_MS[match[2]];
}

function required(output: string, pattern: RegExp, what: string): RegExpExecArray {
  const match = pattern.exec(output);
  if (!match) throw new Error(`wrk printed no ${what}:\n${output}`);
  return match;
}

/** The figures of a `wrk --latency` run, from what it prints. */
export function parseWrkOutput(output: string): WrkResult {
  const total = required(output, /^\s*(\d+) requests in ([\d.]+(?:us|ms|s|m|h)),/m, 'request count');
  const latency = (percent: number) =>
    wrkTimeMs(required(output, new RegExp(`^\\s*${percent}%\\s+(\\S+)\\s*$`, 'm'), `${percent}% latency`)[1]);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  return {
    requests: Number(total[1]),
    seconds: wrkTimeMs(total[2]) / 1000,
    requestsPerSec: Number(required(output, /^Requests\/sec:\s+([\d.]+)/m, 'Requests/sec')[1]),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0),
    socketErrors: {
      connect: Number(errors?.[1] ?? 0),
      read: Number(errors?.[2] ?? 0),
      write: Number(errors?.[3] ?? 0),
      timeout: Number(errors?.[4] ?? 0),
    },
    latencyMs: { p50: latency(50), p75: latency(75), p90: latency(90), p99: latency(99) },
  };
}

/** Runs `wrk --latency` against a URL and returns its parsed figures; fails if wrk does. */
export async function runWrk(url: string, options: WrkOptions): Promise<WrkResult> {
  const args = [
    `-t${options.threads}`,
    `-c${options.connections}`,
    `-d${options.seconds}s`,
    '--latency',
    ...Object.entries(options.headers ?? {}).flatMap(([name, value]) => ['-H', `${name}: ${value}`]),
    url,
  ];
  const { stdout } = await promisify(execFile)('wrk', args, { maxBuffer: 1024 * 1024 });
  return parseWrkOutput(stdout);
}
