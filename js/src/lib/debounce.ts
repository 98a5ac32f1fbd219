/** A function that runs `fn` once calls have stopped for `ms` milliseconds. */
export interface Debounced<A extends unknown[]> {
  (...args: A): void;
  /** Drop a pending call. */
  cancel(): void;
  /** Run a pending call now (no-op when none is pending). */
  flush(): void;
  /** Whether a call is waiting to run. */
  readonly pending: boolean;
}

export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number): Debounced<A> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let last: A | undefined;
  const run = (): void => {
    timer = undefined;
    const args = last;
    last = undefined;
    if (args) fn(...args);
  };
  const debounced = (...args: A): void => {
    last = args;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(run, ms);
  };
  return Object.defineProperties(debounced, {
    cancel: {
      value: (): void => {
        if (timer !== undefined) clearTimeout(timer);
        timer = undefined;
        last = undefined;
      },
    },
    flush: {
      value: (): void => {
        if (timer === undefined) return;
        clearTimeout(timer);
        run();
      },
    },
    pending: { get: (): boolean => timer !== undefined },
  }) as Debounced<A>;
}
