'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import type { WindowName } from '@/lib/model';
import { type Range, rangeFromParams, rangeToParams } from './range';

/**
 * A page's time range kept in its URL, so a zoomed chart can be shared or reloaded as it is. Each change
 * replaces the history entry: the back button leaves the page rather than stepping through zooms.
 */
export function useUrlRange(fallback: WindowName = '1h'): [Range, (range: Range) => void] {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const range = rangeFromParams(new URLSearchParams(params), fallback);
  const setRange = (next: Range) =>
    router.replace(`${pathname}?${rangeToParams(next, new URLSearchParams(params))}`, { scroll: false });
  return [range, setRange];
}
