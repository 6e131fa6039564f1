import { useCallback, useEffect, useRef, useState, type DependencyList } from 'react';
import { toApiError, type ApiError } from './api.ts';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => void;
  /** Local edits after a successful write, so the screen updates without a round trip. */
  setData: (update: (prev: T | undefined) => T | undefined) => void;
}

/**
 * Loads data for a screen. Data from the previous load stays visible while reloading (no blank
 * flash), and a response that arrives after the inputs changed is dropped rather than shown.
 */
export function useLoad<T>(load: () => Promise<T>, deps: DependencyList): Loaded<T> {
  const [data, setDataState] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    let current = true;
    setLoading(true);
    setError(undefined);
    loadRef.current().then(
      (d) => {
        if (!current) return;
        setDataState(d);
        setLoading(false);
      },
      (err: unknown) => {
        if (!current) return;
        setError(toApiError(err));
        setLoading(false);
      },
    );
    return () => {
      current = false;
    };
    // The caller's deps say when to load again; `load` itself is a fresh closure on every render.
  }, [...deps, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const setData = useCallback((update: (prev: T | undefined) => T | undefined) => setDataState(update), []);
  return { data, error, loading, reload, setData };
}
