import { render } from "ink";
import { UsageError } from "../src/cli/command.ts";
import { systemClock, type Clock } from "../src/domain/clock.ts";
import { App } from "./components/App.tsx";
import { NEWEST, type RunFilter } from "./data/run-pager.ts";
import type { CountWindow } from "./data/status-counts.ts";
import { openWatchSource } from "./data/watch-source.ts";
import { painter, wantsColor } from "./format/paint.ts";
import { snapshotText } from "./format/snapshot.ts";
import { WatchController } from "./model/watch-controller.ts";

export interface WatchRunOptions {
  path: string;
  /** Print the snapshot and exit instead of the live UI. */
  once: boolean;
  filter: RunFilter;
  window: CountWindow;
  /** How many runs the snapshot lists. */
  limit: number;
  stdout: (text: string) => void;
  clock?: Clock;
}

/**
 * Runs `statusbox watch`: the live UI on a terminal, or a plain snapshot of the runs table
 * when asked (`--once`) or when stdout or stdin is not a terminal (a pipe, a script, ssh
 * without -t). Answers the exit code. Throws WatchDbError when the database cannot be watched,
 * and UsageError for a status filter that is neither known nor in the database (a typo would
 * otherwise show an empty table).
 */
export async function runWatch(options: WatchRunOptions): Promise<number> {
  const clock = options.clock ?? systemClock;
  const source = openWatchSource(options.path);
  try {
    const statuses = source.counts.statuses();
    const status = options.filter.status;
    if (status !== null && !statuses.includes(status)) {
      throw new UsageError(`--status must be one of ${statuses.join(", ")}, not '${status}'`);
    }
    const interactive = process.stdout.isTTY === true && process.stdin.isTTY === true;
    if (options.once || !interactive) {
      const runs = source.runs.seek(options.filter, NEWEST, options.limit);
      options.stdout(snapshotText(runs, clock.now()));
      return 0;
    }
    await runLive(source, clock, options);
    return 0;
  } finally {
    source.close();
  }
}

async function runLive(
  source: ReturnType<typeof openWatchSource>,
  clock: Clock,
  options: WatchRunOptions,
): Promise<void> {
  const controller = new WatchController(source, clock, {
    filter: options.filter,
    window: options.window,
  });
  const paint = painter(wantsColor(process.env, true));
  // The first frame already has the runs: no empty table flashes before the first poll.
  controller.resize(process.stdout.columns ?? 80, process.stdout.rows ?? 24);
  controller.poll();
  const instance = render(
    <App controller={controller} clock={clock} paint={paint} path={source.path} />,
    {
      // The alternate screen gives the terminal back as it was on quit, as less and htop do.
      alternateScreen: true,
      incrementalRendering: true,
      exitOnCtrlC: true,
      patchConsole: true,
      // runWatch only gets here on a terminal. Ink would otherwise fall back to its
      // non-interactive mode whenever a CI variable is set, and show nothing live.
      interactive: true,
    },
  );

  // A kill must restore the terminal too. A hang-up (the ssh session or the terminal closed)
  // leaves no terminal to restore: writing to it fails with EIO, and Ink's restoring would
  // end in an error dump, so exit at once, as a shell does, with 128 + SIGHUP.
  const stop = () => instance.unmount();
  const hangUp = () => process.exit(129);
  const signals = ["SIGTERM", "SIGINT"] as const;
  for (const signal of signals) process.on(signal, stop);
  process.on("SIGHUP", hangUp);
  try {
    await instance.waitUntilExit();
  } finally {
    for (const signal of signals) process.off(signal, stop);
    process.off("SIGHUP", hangUp);
  }
}
