import { useRef, type KeyboardEvent, type ReactNode } from 'react';
import { navigate } from '../router.ts';
import { Link } from './Link.tsx';

export interface TabItem<T extends string> {
  id: T;
  label: string;
  /** Tabs that are pages get a URL, so they can be linked to and go through history. */
  href?: string;
}

interface TabsProps<T extends string> {
  items: TabItem<T>[];
  selected: T;
  onSelect?: (id: T) => void;
  label: string;
  idPrefix: string;
  className?: string;
}

export const tabId = (prefix: string, id: string) => `${prefix}-tab-${id}`;
export const panelId = (prefix: string, id: string) => `${prefix}-panel-${id}`;

/** WAI-ARIA tabs: one tab stop, arrow keys (and Home/End) move between tabs and select them. */
export function Tabs<T extends string>({ items, selected, onSelect, label, idPrefix, className }: TabsProps<T>) {
  const list = useRef<HTMLDivElement>(null);
  const select = (id: T, focus: boolean) => {
    const item = items.find((i) => i.id === id);
    // A tab with a URL is a page of its own: selecting it, by click or arrow key, is a navigation.
    if (item?.href) navigate(item.href);
    else onSelect?.(id);
    if (focus) requestAnimationFrame(() => list.current?.querySelector<HTMLElement>(`#${CSS.escape(tabId(idPrefix, id))}`)?.focus());
  };
  const onKeyDown = (e: KeyboardEvent) => {
    const i = items.findIndex((it) => it.id === selected);
    let next: number | null = null;
    if (e.key === 'ArrowRight') next = (i + 1) % items.length;
    else if (e.key === 'ArrowLeft') next = (i - 1 + items.length) % items.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = items.length - 1;
    if (next === null) return;
    e.preventDefault();
    const target = items[next];
    if (target) select(target.id, true);
  };
  return (
    <div ref={list} role="tablist" aria-label={label} className={`tabs ${className ?? ''}`} onKeyDown={onKeyDown}>
      {items.map((it) => {
        const props = {
          id: tabId(idPrefix, it.id),
          role: 'tab',
          'aria-selected': it.id === selected,
          // Only the selected tab's panel is rendered, so only it can be pointed at.
          'aria-controls': it.id === selected ? panelId(idPrefix, it.id) : undefined,
          tabIndex: it.id === selected ? 0 : -1,
          className: 'tab',
        } as const;
        return it.href ? (
          <Link key={it.id} href={it.href} {...props}>
            {it.label}
          </Link>
        ) : (
          <button key={it.id} type="button" {...props} onClick={() => select(it.id, false)}>
            {it.label}
          </button>
        );
      })}
    </div>
  );
}

export function TabPanel({ idPrefix, id, children, className }: { idPrefix: string; id: string; children: ReactNode; className?: string }) {
  return (
    <div role="tabpanel" id={panelId(idPrefix, id)} aria-labelledby={tabId(idPrefix, id)} className={className} tabIndex={0}>
      {children}
    </div>
  );
}
