import { useEffect, useSyncExternalStore } from "react";
import type { WatchController } from "../model/watch-controller.ts";

/**
 * Subscribes a component to the controller and polls it every `pollMs`. A poll is one pragma
 * when nothing changed, so a short interval costs next to nothing and new rows show at once.
 * Answers a number that changes whenever the controller has something new to draw.
 */
export function useWatch(controller: WatchController, pollMs: number): number {
  const version = useSyncExternalStore(
    (listener) => controller.subscribe(listener),
    () => controller.version,
  );

  useEffect(() => {
    controller.poll();
    const timer = setInterval(() => controller.poll(), pollMs);
    return () => clearInterval(timer);
  }, [controller, pollMs]);

  return version;
}
