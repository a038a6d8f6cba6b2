/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // pino and the wasm schema engine load files at run time; keep them out of the bundle.
  serverExternalPackages: ['pino', '@prisma/schema-engine-wasm', '@node-rs/argon2'],
};

export default nextConfig;
