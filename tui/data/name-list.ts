import type { Database } from "bun:sqlite";
import { NameView, type NameRow } from "../../src/schedules/name-view.ts";

/** The most names the names view lists; more is a database the view is not made for. */
export const MAX_NAMES = 10_000;

/**
 * The job names for the names view, read through the daemon's own NameView: the list of
 * names is cheap (one index seek per name) and kept until the data changes; the figures
 * (counts, durations, schedule) are read only for the rows on screen.
 */
export class NameList {
  private view: NameView | null = null;
  private names: string[] | null = null;
  private more = false;

  constructor(private readonly db: Database) {}

  /** Forgets the list of names; call when the data changed. */
  invalidate(): void {
    this.names = null;
  }

  /** The first MAX_NAMES names in order. */
  all(): string[] {
    if (this.names === null) {
      const names = this.nameView().list("", MAX_NAMES + 1);
      this.more = names.length > MAX_NAMES;
      this.names = names.slice(0, MAX_NAMES);
    }
    return this.names;
  }

  /** Whether the database holds names beyond those `all` lists. */
  hasMore(): boolean {
    this.all();
    return this.more;
  }

  rows(names: string[], now: number): NameRow[] {
    const view = this.nameView();
    return names.map((name) => view.row(name, now));
  }

  /** Built on first use: a database from before schedules (schema 4) has no names view. */
  private nameView(): NameView {
    try {
      this.view ??= new NameView(this.db);
    } catch {
      throw new Error("the names view needs a database the daemon has upgraded to schedules");
    }
    return this.view;
  }
}
