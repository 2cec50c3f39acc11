import { Box, useApp, useInput } from "ink";
import { useLayoutEffect } from "react";
import type { Clock } from "../../src/domain/clock.ts";
import { headerBadges } from "../format/badges.ts";
import type { Painter } from "../format/paint.ts";
import { useNow } from "../hooks/use-now.ts";
import { useTerminalSize, type TerminalSize } from "../hooks/use-terminal-size.ts";
import { useWatch } from "../hooks/use-watch.ts";
import { meaningOf, splitKeys } from "../model/keymap.ts";
import { layoutFor, type WatchLayout } from "../model/layout.ts";
import { timeSignature } from "../model/time-signature.ts";
import type { WatchController } from "../model/watch-controller.ts";
import { DetailView } from "./DetailView.tsx";
import { EventPane } from "./EventPane.tsx";
import { Footer } from "./Footer.tsx";
import { Header } from "./Header.tsx";
import { HelpView } from "./HelpView.tsx";
import { NamesView } from "./NamesView.tsx";
import { RunTable } from "./RunTable.tsx";
import { TooSmall } from "./TooSmall.tsx";

export interface AppProps {
  controller: WatchController;
  clock: Clock;
  paint: Painter;
  /** The database path, as shown in the header. */
  path: string;
  /** A fixed size instead of the terminal's (tests). */
  size?: TerminalSize;
  /** How often to look for changes; 250 ms shows a new run well within a second. */
  pollMs?: number;
  /** How often relative times and timeout bars are checked (and redrawn if they moved). */
  tickMs?: number;
}

/** The whole screen: header, the current view, footer; exactly as many lines as the terminal. */
export function App({
  controller,
  clock,
  paint,
  path,
  size,
  pollMs = 250,
  tickMs = 1000,
}: AppProps) {
  const { columns, rows } = useTerminalSize(size);
  const { exit } = useApp();
  useLayoutEffect(() => controller.resize(columns, rows), [controller, columns, rows]);
  useWatch(controller, pollMs);
  const now = useNow(clock, tickMs, (at) => timeSignature(controller, at));

  useInput((input, key) => {
    for (const [text, press] of splitKeys(input, key)) {
      const meaning = meaningOf(text, press, controller.state);
      if (meaning?.type === "quit") return exit();
      if (meaning) controller.dispatch(meaning);
    }
  });

  const layout = layoutFor(columns, rows);
  if (layout.tooSmall) return <TooSmall columns={columns} rows={rows} />;

  const { state, screen } = controller;
  return (
    <Box flexDirection="column" height={rows}>
      <Header
        path={path}
        counts={screen.counts}
        window={state.window}
        ratePerMinute={controller.eventRate()}
        badges={headerBadges(state, screen, paint)}
        width={columns}
        paint={paint}
      />
      <Body controller={controller} layout={layout} now={now} paint={paint} />
      <Footer
        view={state.view}
        editing={state.editing}
        filterText={state.filter.name}
        width={columns}
        paint={paint}
      />
    </Box>
  );
}

/** The part between header and footer: help, one run, or the table over the event pane. */
function Body(props: {
  controller: WatchController;
  layout: WatchLayout;
  now: number;
  paint: Painter;
}) {
  const { controller, layout, now, paint } = props;
  const { state, screen } = controller;
  const width = layout.columns;
  const height = layout.rows - 3;

  if (state.help) {
    const statuses = screen.counts.map((entry) => entry.status);
    return <HelpView statuses={statuses} height={height} width={width} paint={paint} />;
  }
  if (state.view === "names" && screen.names) {
    return (
      <NamesView
        rows={screen.names.rows}
        selected={state.names.index - state.names.top}
        total={screen.names.total}
        more={screen.names.more}
        height={height}
        width={width}
        now={now}
        paint={paint}
      />
    );
  }
  if (state.view === "detail" && screen.detail) {
    return (
      <DetailView
        run={screen.detail.run}
        total={screen.detail.total}
        top={state.detail.top}
        following={state.detail.atEnd}
        lines={screen.detail.lines}
        height={layout.logRows}
        width={width}
        now={now}
        paint={paint}
      />
    );
  }
  return (
    <Box flexDirection="column">
      <RunTable
        runs={screen.page.rows}
        selectedId={state.table.selectedId}
        height={layout.tableRows}
        width={width}
        now={now}
        paint={paint}
        filtered={state.filter.name !== "" || state.filter.status !== null}
      />
      <EventPane
        run={screen.selected}
        events={screen.events}
        height={layout.eventRows}
        width={width}
        paint={paint}
      />
    </Box>
  );
}
