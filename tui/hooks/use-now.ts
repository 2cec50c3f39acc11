import { useEffect, useRef, useState } from "react";
import type { Clock } from "../../src/domain/clock.ts";

/**
 * The current time for drawing relative times ("5s ago") and timeout bars, with a redraw
 * every `tickMs` only when `shown(now)`, the time-dependent text on screen, would change.
 *
 * A redraw costs Ink a whole frame whatever changed, so a screen of runs that ended hours
 * ago is not redrawn every second for nothing. The clock is passed in, so tests decide "now".
 */
export function useNow(clock: Clock, tickMs: number, shown: (now: number) => string): number {
  const [, setTick] = useState(0);
  const drawn = useRef<string | null>(null);
  const latest = useRef(shown);
  latest.current = shown;

  useEffect(() => {
    const timer = setInterval(() => {
      if (latest.current(clock.now()) !== drawn.current) setTick((tick) => tick + 1);
    }, tickMs);
    return () => clearInterval(timer);
  }, [clock, tickMs]);

  const now = clock.now();
  drawn.current = shown(now);
  return now;
}
