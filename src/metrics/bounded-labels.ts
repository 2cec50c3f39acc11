/** The label that stands for every name past the limit. */
export const OTHER_NAMES = "(other)";

/**
 * Job names as metric labels, at most `limit` of them: each name is a series of its own for
 * as long as the daemon runs, and names come from clients, so without a bound any client with
 * a write key could grow the daemon's memory and the scrape without end. The first `limit`
 * names seen keep their own label; every later one is counted under `(other)`.
 */
export class BoundedLabels {
  private readonly seen = new Set<string>();

  constructor(private readonly limit: number) {}

  of(name: string): string {
    if (this.seen.has(name)) return name;
    if (this.seen.size >= this.limit) return OTHER_NAMES;
    this.seen.add(name);
    return name;
  }
}
