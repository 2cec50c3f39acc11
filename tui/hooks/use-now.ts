import { useEffect, useState } from "react";
import type { Clock } from "../../src/domain/clock.ts";

/**
 * The current time, refreshed every `tickMs`: relative times ("5s ago") and timeout bars move
 * with it. The clock is passed in, so tests decide what "now" is.
 */
export function useNow(clock: Clock, tickMs: number): number {
  const [now, setNow] = useState(() => clock.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(clock.now()), tickMs);
    return () => clearInterval(timer);
  }, [clock, tickMs]);
  return now;
}
