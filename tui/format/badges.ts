import type { WatchScreen, WatchState } from "../model/watch-controller.ts";
import type { Painter } from "./paint.ts";
import { oneLine } from "../../src/text/terminal-safe.ts";
import { styleOf } from "./status-style.ts";

/**
 * The short states shown right of the database path, most urgent first. New indicators (an
 * alert channel failing, say) belong here: the header draws whatever this list holds.
 */
export function headerBadges(state: WatchState, screen: WatchScreen, paint: Painter): string[] {
  const badges: string[] = [];
  if (screen.error !== null) badges.push(paint.color(`⚠ ${oneLine(screen.error)}`, "red"));
  if (screen.failingChannels.length > 0) {
    const names = screen.failingChannels.map(oneLine).join(", ");
    badges.push(paint.color(`⚠ alerts failing: ${names}`, "red"));
  }
  if (state.filter.status !== null) badges.push(`status: ${styleOf(state.filter.status).label}`);
  // `=` for the one name chosen in the names view, `~` for the text typed after `/`.
  if (state.filter.name !== "") {
    badges.push(`name ${state.filter.exact ? "=" : "~"} ${oneLine(state.filter.name)}`);
  }
  badges.push(state.follow ? paint.color("following", "green") : "follow off");
  return badges;
}
