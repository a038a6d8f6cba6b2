import type { Metadata } from 'next';
import { cookies } from 'next/headers';
import type { ReactNode } from 'react';
import { THEME_COOKIE, themeOf } from '@/components/shell/theme';
import './globals.css';

export const metadata: Metadata = {
  title: 'Breakwater',
  description: 'Resilient calls to third-party APIs, and how they behave',
};

// Every page is rendered per request already (the CSP nonce), so reading the theme cookie costs nothing.
export default async function RootLayout({ children }: { children: ReactNode }) {
  const theme = themeOf((await cookies()).get(THEME_COOKIE)?.value);
  return (
    <html lang="en" data-theme={theme === 'system' ? undefined : theme}>
      <body>{children}</body>
    </html>
  );
}
