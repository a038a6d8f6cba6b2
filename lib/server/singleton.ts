const shared = globalThis as typeof globalThis & { __breakwater?: Map<string, unknown> };

/**
 * One value per process under `key`, created on first use. Kept on globalThis because Next bundles the
 * same module more than once (route handlers, the proxy, server.ts), and module-level state would be
 * duplicated: two recorders, two breakers for one integration. This file imports nothing, so every
 * layer may use it without depending on the rest of the composition root.
 */
export function processSingleton<T>(key: string, create: () => T): T {
  shared.__breakwater ??= new Map();
  if (!shared.__breakwater.has(key)) shared.__breakwater.set(key, create());
  return shared.__breakwater.get(key) as T;
}

/** The value under `key` if one was created, without creating it (shutdown must not start what never ran). */
export function existingSingleton<T>(key: string): T | undefined {
  return shared.__breakwater?.get(key) as T | undefined;
}
