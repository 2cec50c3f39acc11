/**
 * A small Prometheus registry: counters and histograms the daemon updates as things happen,
 * and families collected when scraped (gauges read from the database, counters kept
 * elsewhere). `render` writes the text exposition format, version 0.0.4.
 */

export type MetricType = "counter" | "gauge" | "histogram";

export interface Sample {
  labels: string[];
  value: number;
}

interface Family {
  name: string;
  render(): string[];
}

/** Seconds: from a fraction of a millisecond (a read) to ten seconds (a stuck write). */
export const LATENCY_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export class Registry {
  private readonly families: Family[] = [];

  counter(name: string, help: string, labelNames: string[] = []): Counter {
    return this.add(new Counter(name, help, labelNames));
  }

  histogram(name: string, help: string, labelNames: string[], buckets = LATENCY_BUCKETS) {
    return this.add(new Histogram(name, help, labelNames, buckets));
  }

  /** A family whose samples are read at each scrape. */
  collected(
    name: string,
    help: string,
    type: MetricType,
    labelNames: string[],
    collect: () => Sample[],
  ) {
    return this.add(new Collected(name, help, type, labelNames, collect));
  }

  render(): string {
    return this.families.flatMap((family) => family.render()).join("\n") + "\n";
  }

  private add<F extends Family>(family: F): F {
    if (this.families.some((f) => f.name === family.name)) {
      throw new Error(`metric ${family.name} registered twice`);
    }
    this.families.push(family);
    return family;
  }
}

export class Counter implements Family {
  private readonly values = new Map<string, Sample>();

  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly labelNames: string[],
  ) {}

  inc(labels: string[] = [], by = 1): void {
    const key = labels.join("\u0000");
    const sample = this.values.get(key);
    if (sample) sample.value += by;
    else this.values.set(key, { labels: [...labels], value: by });
  }

  render(): string[] {
    const lines = header(this.name, this.help, "counter");
    for (const s of this.values.values()) lines.push(line(this.name, this.labelNames, s));
    return lines;
  }
}

interface Observations {
  labels: string[];
  counts: number[];
  sum: number;
  count: number;
}

export class Histogram implements Family {
  private readonly series = new Map<string, Observations>();

  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly labelNames: string[],
    private readonly buckets: number[],
  ) {}

  observe(labels: string[], value: number): void {
    const key = labels.join("\u0000");
    let series = this.series.get(key);
    if (!series) {
      series = { labels: [...labels], counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, series);
    }
    // Buckets are cumulative: an observation counts in every bucket at or above it.
    this.buckets.forEach((bound, i) => {
      if (value <= bound) series.counts[i]!++;
    });
    series.sum += value;
    series.count++;
  }

  render(): string[] {
    const lines = header(this.name, this.help, "histogram");
    const names = [...this.labelNames, "le"];
    for (const s of this.series.values()) {
      this.buckets.forEach((bound, i) => {
        const labels = [...s.labels, formatValue(bound)];
        lines.push(line(`${this.name}_bucket`, names, { labels, value: s.counts[i]! }));
      });
      const all = { labels: [...s.labels, "+Inf"], value: s.count };
      lines.push(line(`${this.name}_bucket`, names, all));
      lines.push(line(`${this.name}_sum`, this.labelNames, { labels: s.labels, value: s.sum }));
      lines.push(line(`${this.name}_count`, this.labelNames, { labels: s.labels, value: s.count }));
    }
    return lines;
  }
}

class Collected implements Family {
  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly type: MetricType,
    private readonly labelNames: string[],
    private readonly collect: () => Sample[],
  ) {}

  render(): string[] {
    const lines = header(this.name, this.help, this.type);
    for (const sample of this.collect()) lines.push(line(this.name, this.labelNames, sample));
    return lines;
  }
}

function header(name: string, help: string, type: MetricType): string[] {
  const escaped = help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
  return [`# HELP ${name} ${escaped}`, `# TYPE ${name} ${type}`];
}

function line(name: string, labelNames: string[], sample: Sample): string {
  if (labelNames.length === 0) return `${name} ${formatValue(sample.value)}`;
  const pairs = labelNames.map((label, i) => `${label}="${escapeLabel(sample.labels[i] ?? "")}"`);
  return `${name}{${pairs.join(",")}} ${formatValue(sample.value)}`;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}
