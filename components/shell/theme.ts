/** The top bar's theme choice, kept in a cookie so the server renders the page in it (no flash of the other). */
export const THEME_COOKIE = 'bw_theme';
export const THEMES = ['system', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

export function themeOf(value: string | undefined): Theme {
  return (THEMES as readonly string[]).includes(value ?? '') ? (value as Theme) : 'system';
}
