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

type Comparison = "<" | "≤" | "≥";
type Mode = "full" | "normal";

const MB = 1024 * 1024;

export function buildRows(figures: AllFigures, quick: boolean): Row[] {
  return [
    ...throughputRows("POST /jobs/:id", figures.http.logEvent, { full: 0.6, normal: 0.85 }),
    ...throughputRows("POST /api/jobs/", figures.http.create, { full: 0.55, normal: 0.8 }),
    ...latencyRows("POST /jobs/:id", figures.http.logEvent),
    ...latencyRows("POST /api/jobs/", figures.http.create),
    ...cpuRows("POST /jobs/:id", figures.http.logEvent, { full: 0.6, normal: 0.85 }),
    ...cpuRows("POST /api/jobs/", figures.http.create, { full: 0.55, normal: 0.8 }),
    ...timerWheelRows(figures.timerWheel),
    ...processRows(figures, quick),
  ];
}

function throughputRows(route: string, figures: RouteFigures, targets: Record<Mode, number>) {
  const ceiling = figures.ceiling.requestsPerSec;
  const daemon = (mode: Mode): Row => {
    const ratio = figures[mode].requestsPerSec / ceiling;
    const measure = `${route}, daemon --durability ${mode}`;
    const target = `≥ ${targets[mode].toFixed(2)} × ceiling`;
    const value = figures[mode].requestsPerSec;
    return { measure, value, unit: "req/s", ratio, target, met: ratio >= targets[mode] };
  };
  const base = { ...info(`${route}, ceiling (no storage)`, ceiling, "req/s"), ratio: 1 };
  return [base, daemon("full"), daemon("normal")];
}

function latencyRows(route: string, figures: RouteFigures): Row[] {
  return [
    info(`p99 latency ${route}, ceiling`, figures.ceiling.p99Ms, "ms"),
    row(`p99 latency ${route}, daemon --durability full`, figures.full.p99Ms, "ms", "≤", 5),
    row(`p99 latency ${route}, daemon --durability normal`, figures.normal.p99Ms, "ms", "≤", 3),
  ];
}

/** The cores of the machine the figures are read against: the 2-core machine. */
const CORES = 2;

/**
 * CPU time per request of each server (all its threads) and of wrk, and for each mode the
 * most a daemon could use per request and still reach its target rate on this machine's two
 * cores, which wrk shares: 2 cores / (target × ceiling) − wrk's own CPU per request. A daemon
 * above that bound cannot reach the target whatever it runs on how many threads.
 */
function cpuRows(route: string, figures: RouteFigures, targets: Record<Mode, number>): Row[] {
  const ceiling = figures.ceiling;
  const wrkUs = ceiling.wrkCpuUs;
  const rows = [
    info(`CPU per request ${route}, ceiling server`, ceiling.serverCpuUs ?? 0, "µs"),
    info(`CPU per request ${route}, wrk (load generator)`, wrkUs ?? 0, "µs"),
  ];
  for (const mode of ["full", "normal"] as const) {
    const measure = `CPU per request ${route}, daemon --durability ${mode}`;
    const row = info(measure, figures[mode].serverCpuUs ?? 0, "µs");
    if (wrkUs !== null) {
      const bound = (CORES * 1e6) / (targets[mode] * ceiling.requestsPerSec) - wrkUs;
      row.target = `(≤ ${formatNumber(bound)} µs leaves room for ${targets[mode]} × ceiling)`;
    }
    rows.push(row);
  }
  return rows;
}

function timerWheelRows(wheel: Record<string, number>): Row[] {
  const count = (wheel.timers ?? 0).toLocaleString("en-US");
  // Rounded down, so that a lateness of 99.999 ms does not print as a full tick.
  const lateness = Math.floor((wheel.accuracyMaxLatenessMs ?? 0) * 100) / 100;
  const misfired = (wheel.accuracyEarly ?? 0) + (wheel.accuracyWrongCount ?? 0);
  return [
    row(`timer wheel: schedule ${count} timeouts`, wheel.scheduleOpsPerSec, "ops/s", "≥", 1e6),
    row(`timer wheel: cancel ${count} timeouts`, wheel.cancelOpsPerSec, "ops/s", "≥", 1e6),
    row("timer wheel: heap per pending timeout", wheel.heapBytesPerTimer, "bytes", "<", 150),
    row("timer wheel: latest firing after its deadline", lateness, "ms", "<", 100),
    row("timer wheel: timers fired early or not exactly once", misfired, "timers", "≤", 0),
  ];
}

function processRows({ restart, startup, dbGrowth }: AllFigures, quick: boolean): Row[] {
  const runs = restart.openRuns.toLocaleString("en-US");
  const restartRow = row(
    `restart with ${runs} running runs, to healthy`,
    restart.medianReadyMs,
    "ms",
    "<",
    2000,
  );
  if (quick) restartRow.target += " (for 1,000,000 runs)";
  const idle = `idle memory (RSS ${startup.idleAfterMs} ms after start)`;
  const growth = `database growth per ${dbGrowth.messageChars}-character event`;
  return [
    restartRow,
    info("RSS after that restart", (restart.rssBytes ?? 0) / MB, "MB"),
    row("start-up on an empty database, to healthy", startup.medianReadyMs, "ms", "<", 200),
    row(idle, (startup.idleRssBytes ?? 0) / MB, "MB", "<", 60),
    { ...row(growth, dbGrowth.bytesPerEvent, "bytes", "≤", 150), target: "≤ ~150 bytes" },
  ];
}

function row(
  measure: string,
  value: number | undefined,
  unit: string,
  op: Comparison,
  limit: number,
): Row {
  const v = value ?? 0;
  const met = op === "<" ? v < limit : op === "≤" ? v <= limit : v >= limit;
  return {
    measure,
    value: v,
    unit,
    ratio: null,
    target: `${op} ${formatNumber(limit)} ${unit}`,
    met,
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
    const figure = `${formatNumber(row.value)} ${row.unit}`;
    lines.push(`| ${row.measure} | ${figure} | ${ratio} | ${row.target} | ${met} |`);
  }
  return lines.join("\n");
}

function formatNumber(value: number): string {
  const digits = Math.abs(value) >= 1000 ? 0 : Math.abs(value) >= 100 ? 1 : 2;
  return value.toLocaleString("en-US", { maximumFractionDigits: digits });
}
