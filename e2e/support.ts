import { expect, type Page } from '@playwright/test';
import { E2E } from '../playwright.config';

// Steps most browser tests start with. Not a spec: Playwright only collects *.spec.ts.

export async function signIn(page: Page) {
  await page.goto('/login');
  await page.getByLabel('Password').fill(E2E.adminPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Integrations' })).toBeVisible({ timeout: 20_000 });
}

/** A new API token for the gateway; its clear value is only in this answer. */
export async function newToken(page: Page, name: string): Promise<string> {
  const response = await page.request.post('/api/tokens', { data: { name } });
  expect(response.status()).toBe(201);
  return (await response.json()).token;
}

/** Sets one route's misbehaviour on the demo upstream (demo/faults.ts has the fields). */
export async function setFault(fault: object) {
  const response = await fetch(`${E2E.upstreamURL}/__control/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(fault),
  });
  expect(response.status).toBe(200);
}

/** The demo upstream answers every route normally again. */
export async function clearFaults() {
  expect((await fetch(`${E2E.upstreamURL}/__control/faults`, { method: 'DELETE' })).status).toBe(200);
}

/** What the demo upstream's control API reports (`stats`, `last-request`, `effects`, `faults`). */
export async function upstreamControl(name: 'stats' | 'last-request' | 'effects' | 'faults') {
  return (await fetch(`${E2E.upstreamURL}/__control/${name}`)).json();
}
