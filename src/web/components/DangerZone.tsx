import { useId } from 'react';

/** The red card at the bottom of a settings page: what deleting means, and the button that starts it (the caller confirms). */
export function DangerZone({ title, consequence, action, onAction }: { title: string; consequence: string; action: string; onAction: () => void }) {
  const id = useId();
  return (
    <section className="card card-danger" aria-labelledby={id}>
      <div className="card-header">
        <h2 id={id} className="card-title">
          Danger Zone
        </h2>
      </div>
      <div className="card-body danger-row">
        <div>
          <p className="danger-title">{title}</p>
          <p className="muted">{consequence}</p>
        </div>
        <button type="button" className="button button-danger" onClick={onAction}>
          {action}
        </button>
      </div>
    </section>
  );
}
