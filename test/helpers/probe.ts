import { percentile } from "./process-stats.ts";

export interface ProbeReport {
  answered: number;
  /** Requests that failed, timed out or got anything but 200, with what happened. */
  failures: string[];
  p50: number;
  p99: number;
  max: number;
}

/**
 * A well-behaved client that keeps reading while a test is hostile to the daemon: one
 * request at a time, each with a time limit, latencies in milliseconds.
 */
export class Probe {
  private latencies: number[] = [];
  private failures: string[] = [];
  private running = false;
  private loop: Promise<void> = Promise.resolve();

  constructor(
    private readonly url: string,
    private readonly headers: Record<string, string>,
    private readonly timeoutMs = 5000,
  ) {}

  /** How many probes have been answered 200 since the last report. */
  get answered(): number {
    return this.latencies.length;
  }

  /** Starts `clients` loops of one request at a time each, for more samples per second. */
  start(clients = 1): this {
    this.running = true;
    this.loop = Promise.all(Array.from({ length: clients }, () => this.run())).then(() => {});
    return this;
  }

  async stop(): Promise<ProbeReport> {
    this.running = false;
    await this.loop;
    return this.report();
  }

  /** Sends `count` probes back to back and reports them (the idle baseline). */
  async measure(count: number): Promise<ProbeReport> {
    for (let i = 0; i < count; i++) await this.once();
    return this.report();
  }

  private async run(): Promise<void> {
    while (this.running) {
      await this.once();
      await Bun.sleep(5);
    }
  }

  private async once(): Promise<void> {
    const started = performance.now();
    try {
      const response = await fetch(this.url, {
        headers: this.headers,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await response.arrayBuffer();
      if (response.status !== 200) this.failures.push(`answered ${response.status}`);
      else this.latencies.push(performance.now() - started);
    } catch (error) {
      this.failures.push(String(error));
    }
  }

  private report(): ProbeReport {
    const report = {
      answered: this.latencies.length,
      failures: this.failures,
      p50: percentile(this.latencies, 50),
      p99: percentile(this.latencies, 99),
      max: Math.max(0, ...this.latencies),
    };
    this.latencies = [];
    this.failures = [];
    return report;
  }
}
