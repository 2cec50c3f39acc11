/** The signals `statusbox run` passes on to its command; any of them cancels the run. */
export const FORWARDED_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
export type ForwardedSignal = (typeof FORWARDED_SIGNALS)[number];

export interface SignalForwarder {
  /** The first signal received, if any. */
  readonly received: ForwardedSignal | null;
  /** The process to pass signals to; one received before it existed is passed on at once. */
  attach(child: { kill(signal: ForwardedSignal): void }): void;
  /** Calls `listener` on every signal received from now on. */
  onSignal(listener: () => void): void;
  /** Removes the handlers, so that the wrapper's own process can exit. */
  dispose(): void;
}

/**
 * Catches SIGINT, SIGTERM and SIGHUP sent to the wrapper and passes each on to the command,
 * which decides how to stop (it may clean up, or ignore them) as it would without a wrapper.
 * Note: Ctrl-C in a terminal signals the whole foreground process group, so the command then
 * gets SIGINT twice, once from the terminal and once from us.
 */
export function forwardSignals(): SignalForwarder {
  let received: ForwardedSignal | null = null;
  let child: { kill(signal: ForwardedSignal): void } | null = null;
  const listeners: (() => void)[] = [];

  const handlers = FORWARDED_SIGNALS.map((signal) => {
    const handler = () => {
      received ??= signal;
      child?.kill(signal);
      for (const listener of listeners) listener();
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });

  return {
    get received() {
      return received;
    },
    attach(target) {
      child = target;
      if (received) target.kill(received);
    },
    onSignal(listener) {
      listeners.push(listener);
    },
    dispose() {
      for (const [signal, handler] of handlers) process.off(signal, handler);
    },
  };
}
