/**
 * The benchmark's figures as rows against the targets, printed as a Markdown table
 * (so it can go into the README as is) and kept as JSON. A missed target is shown, never
 * turned into an exit code: timings on a shared machine are not a test.
 */
import type { DbGrowthFigures } from "./db-growth.ts";
import type { HttpFigures, RouteFigures } from "./http-load.ts";
import type { RestartFigures } from "./restart.ts";
import type { StartupFigures } from "./startup.ts";

export interface Row {
  measure: string;
  value: number;
  unit: string;
  /** The daemon's throughput over the ceiling's, for the throughput rows. */
  ratio: number | null;
  target: string;
  /** null where there is no target (the ceiling itself, figures kept for context). */
  met: boolean | null;
}

export interface AllFigures {
  http: HttpFigures;
  timerWheel: Record<string, number>;
  restart: RestartFigures;
  startup: StartupFigures;
  dbGrowth: DbGrowthFigures;
}

const MB = 1024 * 1024;

export function buildRows(figures: AllFigures, quick: boolean): Row[] {
  const { http, timerWheel: wheel, restart, startup, dbGrowth } = figures;
  const rows: Row[] = [
    ...throughputRows("POST /jobs/:id", http.logEvent, { full: 0.6, normal: 0.85 }),
    ...throughputRows("POST /api/jobs/", http.create, { full: 0.55, normal: 0.8 }),
    ...latencyRows("POST /jobs/:id", http.logEvent),
    ...latencyRows("POST /api/jobs/", http.create),
  ];

  const count = (wheel.timers ?? 0).toLocaleString("en-US");
  rows.push(
    atLeast(`timer wheel: schedule ${count} timeouts`, wheel.scheduleOpsPerSec, "ops/s", 1e6),
    atLeast(`timer wheel: cancel ${count} timeouts`, wheel.cancelOpsPerSec, "ops/s", 1e6),
    below("timer wheel: heap per pending timeout", wheel.heapBytesPerTimer, "bytes", 150),
    below(
      "timer wheel: latest firing after its deadline",
      // Rounded down, so that 99.999 ms does not print as a full tick.
      Math.floor((wheel.accuracyMaxLatenessMs ?? 0) * 100) / 100,
      "ms",
      100,
      "< 100 ms (one tick)",
    ),
    below(
      "timer wheel: timers fired early or not exactly once",
      (wheel.accuracyEarly ?? 0) + (wheel.accuracyWrongCount ?? 0),
      "timers",
      1,
      "0",
    ),
  );

  const runs = restart.openRuns.toLocaleString("en-US");
  const restartTarget = quick ? "< 2,000 ms (for 1,000,000 runs)" : "< 2,000 ms";
  rows.push(
    below(
      `restart with ${runs} running runs, to healthy`,
      restart.medianReadyMs,
      "ms",
      2000,
      restartTarget,
    ),
    info(`RSS after that restart`, (restart.rssBytes ?? 0) / MB, "MB"),
    below("start-up on an empty database, to healthy", startup.medianReadyMs, "ms", 200),
    below(
      `idle memory (RSS ${startup.idleAfterMs} ms after start)`,
      (startup.idleRssBytes ?? 0) / MB,
      "MB",
      60,
    ),
    atMost(
      `database growth per ${dbGrowth.messageChars}-character event`,
      dbGrowth.bytesPerEvent,
      "bytes",
      150,
      "≤ ~150 bytes",
    ),
  );
  return rows;
}

function throughputRows(
  route: string,
  figures: RouteFigures,
  targets: Record<"full" | "normal", number>,
) {
  const ceiling = figures.ceiling.requestsPerSec;
  const row = (mode: "full" | "normal"): Row => {
    const ratio = figures[mode].requestsPerSec / ceiling;
    return {
      measure: `${route}, daemon --durability ${mode}`,
      value: figures[mode].requestsPerSec,
      unit: "req/s",
      ratio,
      target: `≥ ${targets[mode].toFixed(2)} × ceiling`,
      met: ratio >= targets[mode],
    };
  };
  const base: Row = {
    measure: `${route}, ceiling (no storage)`,
    value: ceiling,
    unit: "req/s",
    ratio: 1,
    target: "",
    met: null,
  };
  return [base, row("full"), row("normal")];
}

function latencyRows(route: string, figures: RouteFigures): Row[] {
  return [
    info(`p99 latency ${route}, ceiling`, figures.ceiling.p99Ms, "ms"),
    atMost(`p99 latency ${route}, daemon --durability full`, figures.full.p99Ms, "ms", 5),
    atMost(`p99 latency ${route}, daemon --durability normal`, figures.normal.p99Ms, "ms", 3),
  ];
}

function atLeast(measure: string, value: number | undefined, unit: string, min: number): Row {
  const v = value ?? 0;
  return {
    measure,
    value: v,
    unit,
    ratio: null,
    target: `≥ ${formatNumber(min)} ${unit}`,
    met: v >= min,
  };
}

function atMost(
  measure: string,
  value: number | undefined,
  unit: string,
  max: number,
  target?: string,
): Row {
  const v = value ?? 0;
  return {
    measure,
    value: v,
    unit,
    ratio: null,
    target: target ?? `≤ ${formatNumber(max)} ${unit}`,
    met: v <= max,
  };
}

function below(
  measure: string,
  value: number | undefined,
  unit: string,
  max: number,
  target?: string,
): Row {
  const v = value ?? 0;
  return {
    measure,
    value: v,
    unit,
    ratio: null,
    target: target ?? `< ${formatNumber(max)} ${unit}`,
    met: v < max,
  };
}

function info(measure: string, value: number, unit: string): Row {
  return { measure, value, unit, ratio: null, target: "", met: null };
}

/** The rows as a Markdown table, figures rounded for reading (the JSON keeps them whole). */
export function formatTable(rows: Row[]): string {
  const lines = ["| measure | figure | ratio to ceiling | target | met |", "|---|--:|--:|---|---|"];
  for (const row of rows) {
    const ratio = row.ratio === null ? "" : row.ratio.toFixed(2);
    const met = row.met === null ? "" : row.met ? "yes" : "**no**";
    lines.push(
      `| ${row.measure} | ${formatNumber(row.value)} ${row.unit} | ${ratio} | ${row.target} | ${met} |`,
    );
  }
  return lines.join("\n");
}

function formatNumber(value: number): string {
  const digits = Math.abs(value) >= 1000 ? 0 : Math.abs(value) >= 100 ? 1 : 2;
  return value.toLocaleString("en-US", { maximumFractionDigits: digits });
}
