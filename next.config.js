// Next buffers a request body for the proxy (proxy.ts) up to this size and then silently cuts it. The largest
// body a Next route reads is a job's, replay's or batch's call (lib/jobs callRequestMaxBytes: twice
// BREAKWATER_JOB_MAX_BODY_BYTES plus 64 KiB); keep the buffer above that by more than one socket read, so an
// oversized body still arrives oversized and gets its 413. The gateway's bodies never pass through Next.
const jobMaxBodyBytes = Number(process.env.BREAKWATER_JOB_MAX_BODY_BYTES || 256 * 1024);
const proxyBufferBytes = Math.max(10 * 1024 * 1024, 2 * jobMaxBodyBytes + 64 * 1024 + 1024 * 1024);

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
  experimental: { proxyClientMaxBodySize: proxyBufferBytes },
};

export default nextConfig;
