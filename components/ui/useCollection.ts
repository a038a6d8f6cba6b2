'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { ApiError, fetchJson, sendJson } from './api';

/**
 * A collection the API lists at `path`, creates by POST to it and deletes by DELETE `path/:id`: the list is
 * read again after each change, and a refused create leaves the API's field errors in `fields`.
 */
export function useCollection<List>(key: string, path: string) {
  const queryClient = useQueryClient();
  const [fields, setFields] = useState<Record<string, string>>({});
  const list = useQuery({ queryKey: [key], queryFn: () => fetchJson<List>(path) });
  const refresh = () => queryClient.invalidateQueries({ queryKey: [key] });
  const create = useMutation({
    mutationFn: (body: unknown) => sendJson(path, 'POST', body),
    onMutate: () => setFields({}),
    onSuccess: refresh,
    onError: (error) => setFields(error instanceof ApiError ? error.fields : {}),
  });
  const remove = useMutation({
    mutationFn: (id: string) => fetchJson<void>(`${path}/${id}`, { method: 'DELETE' }),
    onSuccess: refresh,
  });
  return { list, create, remove, fields };
}
