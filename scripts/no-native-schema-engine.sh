#!/bin/sh
# Breakwater never downloads Prisma's native schema engine. `prisma generate` only needs this path
# to exist; anything that would really run the engine must use `npm run db:migrate` (wasm engine).
echo "breakwater: the native Prisma schema engine is not installed; use 'npm run db:migrate' (wasm engine) instead" >&2
exit 1
