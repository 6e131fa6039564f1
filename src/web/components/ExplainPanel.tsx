import { useId, type ReactNode } from 'react';

/** Says why a feature is not offered here, instead of hiding it. */
export function ExplainPanel({ icon, title, children }: { icon: string; title: string; children: ReactNode }) {
  const id = useId();
  return (
    <section className="card panel-explain" aria-labelledby={id}>
      <div className="card-body">
        <div className="explain-icon" aria-hidden="true">
          {icon}
        </div>
        <h2 id={id} className="card-title">
          {title}
        </h2>
        {children}
      </div>
    </section>
  );
}
