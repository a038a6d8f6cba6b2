'use client';

import { createContext, type ReactNode, useContext } from 'react';
import { type Role, roleAtLeast } from '@/lib/model';

export interface WorkspaceView {
  slug: string;
  name: string;
  role: Role;
}

export interface WorkspaceContextValue {
  current: WorkspaceView;
  /** every workspace the user is a member of, with their role there */
  all: WorkspaceView[];
  isOwner: boolean;
}

const WorkspaceContext = createContext<WorkspaceContextValue | null>(null);

export function WorkspaceProvider({ value, children }: { value: WorkspaceContextValue | null; children: ReactNode }) {
  return <WorkspaceContext.Provider value={value}>{children}</WorkspaceContext.Provider>;
}

/** The workspace the page is about and the user's role in it (the shell provides it for every app page). */
export function useWorkspace(): WorkspaceContextValue | null {
  return useContext(WorkspaceContext);
}

/**
 * Renders its children only for a role of at least `role` in the current workspace: a page offers no
 * control the API would refuse. (The API checks again: hiding is for clarity, not for safety.)
 */
export function Can({ role, children }: { role: Role; children: ReactNode }) {
  const workspace = useWorkspace();
  return workspace && roleAtLeast(workspace.current.role, role) ? children : null;
}

/** `href` with the workspace in its query, so a copied link opens the same workspace. */
export function workspaceHref(href: string, slug: string | undefined): string {
  if (!slug) return href;
  const [path, query = ''] = href.split('?');
  const params = new URLSearchParams(query);
  params.set('ws', slug);
  return `${path}?${params}`;
}
