import { useEffect, useRef, useState } from 'react';

/** Copies through the Clipboard API, falling back to a selection copy on plain-HTTP origins where it is missing. */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall through to the selection copy
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.className = 'visually-hidden';
  document.body.appendChild(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}

/**
 * "Copy" with feedback next to it rather than in it, so the button keeps one accessible name
 * while the result is announced politely.
 */
export function CopyButton({ text, label, small = true }: { text: string; label?: string; small?: boolean }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const timer = useRef<number | undefined>(undefined);
  useEffect(() => () => window.clearTimeout(timer.current), []);
  const copy = async () => {
    const ok = await copyText(text);
    setState(ok ? 'copied' : 'failed');
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => setState('idle'), 2000);
  };
  return (
    <span className="copy">
      <button type="button" className={`button button-secondary ${small ? 'button-small' : ''}`} aria-label={label} onClick={copy}>
        Copy
      </button>
      <span className="copy-feedback" role="status">
        {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed: select and copy manually' : ''}
      </span>
    </span>
  );
}
