// Next buffers a request body for the proxy (proxy.ts runs for the gateway too) up to this size and then
// silently cuts it. Keep that buffer above the gateway's own limit (lib/integrations MAX_BODY_BYTES) by more
// than one socket read, so an oversized body reaches the gateway still oversized and gets its 413.
const gatewayMaxBodyBytes = Number(process.env.BREAKWATER_MAX_BODY_BYTES ?? 10 * 1024 * 1024);

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Several builds can live side by side (parallel work, CI): BREAKWATER_DIST_DIR picks the folder.
  distDir: process.env.BREAKWATER_DIST_DIR || '.next',
  poweredByHeader: false,
  reactStrictMode: true,
  // Types are checked by `npm run typecheck` over the whole project (tests included), once.
  typescript: { ignoreBuildErrors: true },
  // pino and the wasm schema engine load files at run time; keep them out of the bundle.
  serverExternalPackages: ['pino', '@prisma/schema-engine-wasm', '@node-rs/argon2'],
  // The proxy sees the request target as sent, so it can hand the gateway the caller's own query string
  // (Next re-encodes the one route handlers see, which breaks signed URLs).
  skipProxyUrlNormalize: true,
  experimental: { proxyClientMaxBodySize: gatewayMaxBodyBytes + 1024 * 1024 },
};

export default nextConfig;
