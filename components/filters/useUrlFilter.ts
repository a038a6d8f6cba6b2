'use client';

import { useInfiniteQuery } from '@tanstack/react-query';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import type { FormEvent } from 'react';
import { fetchJson } from '@/components/ui/api';

/** datetime-local values are local time; the API wants an instant. */
function toIso(local: string): string {
  return local ? new Date(local).toISOString() : '';
}

/** An instant (from the URL, or epoch ms) as a datetime-local input shows it: local time without a zone. */
export function toLocal(instant: string | number | null): string {
  if (instant === null || instant === '') return '';
  const ms = typeof instant === 'number' ? instant : Date.parse(instant);
  return Number.isNaN(ms) ? '' : new Date(ms - new Date(ms).getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

/**
 * A filter form kept in the URL (so a search can be shared): its submit handler writes the form's fields
 * to the URL (instants as ISO), `clear` empties it; the workspace always stays.
 */
export function useUrlFilter() {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  function search(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const query = new URLSearchParams();
    // the workspace stays: a search is within it
    const ws = params.get('ws');
    if (ws) query.set('ws', ws);
    for (const [name, value] of new FormData(event.currentTarget)) {
      const text = String(value).trim();
      if (text) query.set(name, name === 'from' || name === 'to' ? toIso(text) : text);
    }
    router.replace(`${pathname}?${query}`);
  }
  const clear = () => router.replace(params.get('ws') ? `${pathname}?ws=${params.get('ws')}` : pathname);
  return { params, filter: params.toString(), search, clear, get: (name: string) => params.get(name) ?? '' };
}

/**
 * A list filtered through the URL (useUrlFilter) and paged by cursor: the pages are read from `endpoint`
 * with the URL's query.
 */
export function useUrlFilteredPages<Page extends { nextCursor?: string | null }>(
  key: string,
  endpoint: string,
  options: { refetchInterval?: number } = {},
) {
  const url = useUrlFilter();
  const pages = useInfiniteQuery({
    queryKey: [key, url.filter],
    queryFn: ({ pageParam }) => {
      const query = new URLSearchParams(url.params);
      if (pageParam) query.set('cursor', pageParam);
      return fetchJson<Page>(`${endpoint}?${query}`);
    },
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: options.refetchInterval,
  });
  return { ...url, pages };
}
