import type { AppType } from '../api.ts';

const GLYPH: Record<AppType, string> = { regular_web: 'W', non_interactive: 'M', spa: 'S', native: 'N' };

/** A small coloured tile that tells application types apart at a glance in long lists. */
export function AppTypeIcon({ type }: { type: AppType }) {
  return (
    <span className={`app-icon app-icon-${type}`} aria-hidden="true">
      {GLYPH[type] ?? '?'}
    </span>
  );
}
