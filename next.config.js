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
};

export default nextConfig;
