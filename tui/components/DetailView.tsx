import { Box } from "ink";
import type { WatchRun } from "../data/rows.ts";
import { bodyColor, eventPrefix, PREFIX_WIDTH } from "../format/event-style.ts";
import type { Painter } from "../format/paint.ts";
import { oneLine } from "../../src/text/terminal-safe.ts";
import { paintStatus } from "../format/status-style.ts";
import { formatAgo, formatDateTime, formatDuration, formatLeft } from "../format/time.ts";
import type { LogLine } from "../model/detail-scroll.ts";
import { DETAIL_FIELD_LINES } from "../model/layout.ts";
import { Lines } from "./Lines.tsx";

export interface DetailViewProps {
  run: WatchRun | null;
  /** Events the run has kept. */
  total: number;
  /** Position of the first event on screen, for the "event n of N" title. */
  top: number;
  following: boolean;
  lines: LogLine[];
  /** Lines of the log, not counting the fields and the log's title. */
  height: number;
  width: number;
  now: number;
  paint: Painter;
}

/** One run: every field, then its event log, scrollable and wrapped to the width. */
export function DetailView(props: DetailViewProps) {
  const { run, lines, height, width, paint } = props;
  if (!run) {
    const gone = "  this run is no longer in the database (Esc goes back)";
    return <Lines lines={[gone]} height={DETAIL_FIELD_LINES + 1 + height} width={width} />;
  }

  const position = props.total === 0 ? "no events" : `event ${props.top + 1} of ${props.total}`;
  const follow = props.following ? " · following" : "";
  const title = `── event log: ${position}${follow} `;
  const rule = paint.dim(title + "─".repeat(Math.max(0, width - Bun.stringWidth(title))));
  return (
    <Box flexDirection="column">
      <Lines lines={fieldLines(run, props.now, paint)} height={DETAIL_FIELD_LINES} width={width} />
      <Lines
        lines={[rule, ...lines.map((line) => logLine(line, paint))]}
        height={height + 1}
        width={width}
      />
    </Box>
  );
}

const windows = (n: number) => `${n} missed window${n === 1 ? "" : "s"}`;

function logLine(line: LogLine, paint: Painter): string {
  const prefix = line.first ? eventPrefix(line.event, paint) : " ".repeat(PREFIX_WIDTH);
  return prefix + paint.color(line.text, bodyColor(line.event));
}

/** Exactly DETAIL_FIELD_LINES lines: who the run is, its times, how it ended. */
export function fieldLines(run: WatchRun, now: number, paint: Painter): string[] {
  const label = (text: string) => paint.bold(text.padEnd(9));
  const at = (ms: number) => `${formatDateTime(ms)} (${formatAgo(ms, now)})`;
  const took = (end: number) => formatDuration(end - run.createdAt);
  const version = run.version === null ? "" : ` · version ${oneLine(run.version)}`;

  let ended = "-";
  if (run.finishedAt !== null) ended = `${at(run.finishedAt)} · took ${took(run.finishedAt)}`;
  else if (run.status === "running")
    ended = `- (running, ${formatLeft(run.deadlineAt - now)} left)`;
  const reported =
    run.lateEndAt === null
      ? "-"
      : `${at(run.lateEndAt)} · after the timeout, took ${took(run.lateEndAt)}`;
  const dropped = run.eventsDropped > 0 ? ` · ${run.eventsDropped} older dropped by retention` : "";

  // A missed run was never started, so it has no timeout: what it stands for is when a run
  // was expected.
  const timing =
    run.expectedAt === null
      ? `${label("timeout")}${run.timeoutSeconds}s · deadline ${formatDateTime(run.deadlineAt)}`
      : `${label("expected")}${at(run.expectedAt)} · ${windows(run.missedWindows ?? 1)}`;

  return [
    `${paint.bold(`run ${run.id}`)} · ${paintStatus(run.status, paint)} · ` +
      `${oneLine(run.name)}${version}`,
    `${label("created")}${at(run.createdAt)}`,
    timing,
    `${label("finished")}${ended}`,
    `${label("reported")}${reported}`,
    `${label("exit")}${run.exitCode ?? "-"} · message: ${oneLine(run.endMessage ?? "-")}`,
    `${label("events")}${run.eventCount}${dropped}`,
  ];
}
