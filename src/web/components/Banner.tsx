import type { ReactNode } from 'react';

/** A page- or form-level error from the server, announced to screen readers. */
export function ErrorBanner({ message, onRetry }: { message?: string | null; onRetry?: () => void }) {
  if (!message) return null;
  return (
    <div className="banner banner-error">
      <span className="banner-icon" aria-hidden="true">!</span>
      {/* Only the message is the alert, so it is announced (and matched) without the icon or button. */}
      <span className="banner-text" role="alert">
        {message}
      </span>
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
    <div className="banner banner-success">
      <span className="banner-icon" aria-hidden="true">✓</span>
      <span className="banner-text" role="status">
        {children}
      </span>
      {onDismiss && (
        <button type="button" className="icon-button" aria-label="Dismiss" onClick={onDismiss}>
          <span aria-hidden="true">×</span>
        </button>
      )}
    </div>
  );
}
