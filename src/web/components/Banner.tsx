import type { ReactNode } from 'react';

/** A page- or form-level error from the server, announced to screen readers. */
export function ErrorBanner({ message, onRetry }: { message?: string | null; onRetry?: () => void }) {
  if (!message) return null;
  return (
    <div className="banner banner-error" role="alert">
      <span className="banner-icon" aria-hidden="true">!</span>
      <span className="banner-text">{message}</span>
      {onRetry && (
        <button type="button" className="button button-small" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** A calm confirmation ("Saved.") that screen readers announce without interrupting. */
export function NoticeBanner({ children, onDismiss }: { children?: ReactNode; onDismiss?: () => void }) {
  if (!children) return null;
  return (
    <div className="banner banner-success" role="status">
      <span className="banner-icon" aria-hidden="true">✓</span>
      <span className="banner-text">{children}</span>
      {onDismiss && (
        <button type="button" className="icon-button" aria-label="Dismiss" onClick={onDismiss}>
          <span aria-hidden="true">×</span>
        </button>
      )}
    </div>
  );
}
