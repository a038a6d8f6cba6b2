/**
 * A second instance of a module (its path from the repository root), as Next gives each bundle its own
 * copy: its classes are not the first copy's, so `instanceof` across the two fails, as it does in the app.
 */
export async function secondCopy<T>(path: string): Promise<T> {
  const url = new URL(`../../${path}`, import.meta.url);
  url.search = '?second-copy';
  return (await import(url.href)) as T;
}
