import {
  afterAll,
  afterEach,
  beforeAll,
  describe,
  expect,
  setDefaultTimeout,
  test,
} from "bun:test";
import { cleanup, render } from "ink-testing-library";
import { join } from "node:path";
import { oneLine, safeLines, terminalSafe } from "../src/text/terminal-safe.ts";
import { DetailView } from "../tui/components/DetailView.tsx";
import { EventPane } from "../tui/components/EventPane.tsx";
import { RunTable } from "../tui/components/RunTable.tsx";
import type { WatchEvent, WatchRun } from "../tui/data/rows.ts";
import { plain } from "../tui/format/paint.ts";
import { wrapperFor } from "../tui/model/wrap-event.ts";
import { alertKit } from "./helpers/alerts-kit.ts";
import { runStatusbox } from "./helpers/binary.ts";
import { startTestDaemon, type TestDaemon } from "./helpers/daemon.ts";
import { startReceiver } from "./helpers/http-receiver.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";
import { makeTuiDb, T0 } from "./helpers/tui-db.ts";

// The CLI tests start real processes (bun loading the CLI), slow on a busy machine.
setDefaultTimeout(30_000);
afterEach(cleanup);

const ESC = "\x1b";
/** Clear screen, an OSC 52 clipboard write, a retitle, NUL, an 8-bit CSI, bidi controls. */
const HOSTILE =
  `a${ESC}[2Jb${ESC}]52;c;b3duZWQ=\x07c${ESC}]0;title\x07d\x00e\x9bf` +
  `\u202eg\u2066h\u2069i\u200fj`;
/** Any character a terminal would obey rather than show; tab and line feed aside. */
const OBEYED =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const SHOWN =
  "a\\x1b[2Jb\\x1b]52;c;b3duZWQ=\\x07c\\x1b]0;title\\x07d\\x00e\\x9bf\\u202eg\\u2066h\\u2069i\\u200fj";
/** What a job or key name may still carry: names refuse control characters, not bidi ones. */
const HOSTILE_NAME = "run\u202eg\u2066h\u2069i\u200fj";
const NAME_SHOWN = "run\\u202eg\\u2066h\\u2069i\\u200fj";

describe("terminalSafe", () => {
  test("shows escapes, controls and bidi controls as visible escapes", () => {
    expect(terminalSafe(HOSTILE)).toBe(SHOWN);
  });

  test("drops colour sequences, turns tabs into spaces and line breaks into the layout's", () => {
    expect(terminalSafe(`${ESC}[1;31mred${ESC}[0m\tcell`)).toBe("red  cell");
    expect(terminalSafe("one\r\ntwo\rthree\n")).toBe("one\\ntwo\\nthree\\n");
    expect(oneLine("one\ntwo\n\n")).toBe("one ⏎ two");
    expect(safeLines(`x${ESC}[2J\ny\u202e\n`)).toEqual(["x\\x1b[2J", "y\\u202e"]);
  });

  test("a colour sequence cannot smuggle another one past it", () => {
    expect(terminalSafe(`${ESC}[${ESC}[31m2J`)).toBe("\\x1b[2J");
  });
});

describe("statusbox watch", () => {
  const run: WatchRun = {
    id: 7,
    name: HOSTILE,
    version: `1${ESC}[2J`,
    status: "failed",
    timeoutSeconds: 600,
    createdAt: T0 - 60_000,
    deadlineAt: T0 + 540_000,
    finishedAt: T0,
    lateEndAt: null,
    exitCode: 1,
    endMessage: HOSTILE,
    eventCount: 1,
    eventsDropped: 0,
    expectedAt: null,
    missedWindows: null,
  };
  const event: WatchEvent = {
    id: 1,
    runId: 7,
    at: T0,
    kind: "log",
    message: HOSTILE,
    truncated: false,
    stream: null,
  };

  test("the table, the event pane and the detail view show a job's controls visibly", () => {
    const frames = [
      render(
        <RunTable
          runs={[run]}
          selectedId={null}
          height={1}
          width={200}
          now={T0}
          paint={plain}
          filtered={false}
        />,
      ).lastFrame(),
      render(
        <EventPane run={run} events={[event]} height={1} width={200} paint={plain} />,
      ).lastFrame(),
      render(
        <DetailView
          run={run}
          total={1}
          top={0}
          following={false}
          height={3}
          width={200}
          now={T0}
          paint={plain}
          lines={wrapperFor(200)(event).map((text, i) => ({ event, text, first: i === 0 }))}
        />,
      ).lastFrame(),
    ];
    for (const frame of frames) {
      expect(frame).not.toMatch(OBEYED);
      expect(frame).toContain("\\x1b]52;c;");
      expect(frame).toContain("\\u202eg");
    }
  });

  test("--once prints names with their controls visible", async () => {
    const fixture = makeTuiDb();
    try {
      fixture.add({ name: HOSTILE, version: "1.0", status: "completed", finishedAt: T0 + 1000 });
      const result = await runStatusbox(["watch", "--once", "--db", fixture.path]);
      expect(result.code).toBe(0);
      expect(result.stdout).not.toMatch(OBEYED);
      expect(result.stdout).toContain(SHOWN);
    } finally {
      fixture.cleanup();
    }
  });
});

describe("statusbox job show", () => {
  let daemon: TestDaemon;
  let env: Record<string, string>;
  beforeAll(async () => {
    daemon = await startTestDaemon();
    env = { STATUSBOX_URL: daemon.url, STATUSBOX_API_KEY: daemon.key };
  });
  afterAll(() => daemon.close());

  test("prints a run's name, messages and events with their controls visible", async () => {
    const created = await daemon.post("/api/jobs", {
      name: HOSTILE_NAME,
      version: HOSTILE,
      timeoutSeconds: 60,
    });
    expect(created.status).toBe(200);
    const { id } = (await created.json()) as { id: number };
    await daemon.post(`/api/jobs/${id}`, { message: `line\n${HOSTILE}` });
    await daemon.post(`/api/jobs/${id}/fail`, { message: HOSTILE });

    const text = await runStatusbox(["job", "show", String(id)], { env });
    expect(text.code).toBe(0);
    expect(text.stdout).not.toMatch(OBEYED);
    expect(text.stdout).toContain(`name      ${NAME_SHOWN}\n`);
    expect(text.stdout).toContain(`version   ${SHOWN}\n`);
    expect(text.stdout).toContain(`message   ${SHOWN}\n`);
    expect(text.stdout).toContain(`line\\n${SHOWN}\n`);

    const json = await runStatusbox(["job", "show", String(id), "--json"], { env });
    expect(json.stdout).not.toMatch(OBEYED);
    expect(JSON.parse(json.stdout).job.name).toBe(HOSTILE_NAME);
    expect(JSON.parse(json.stdout).job.version).toBe(HOSTILE);
  });
});

describe("statusbox keys list", () => {
  test("shows a key's name with its controls visible", async () => {
    const dir = makeTempDir();
    const db = join(dir.path, "keys.db");
    const name = HOSTILE_NAME;
    try {
      const created = await runStatusbox(["keys", "create", "--name", name, "--db", db]);
      expect(created.code).toBe(0);
      expect(created.stdout).not.toMatch(OBEYED);
      const listed = await runStatusbox(["keys", "list", "--db", db]);
      expect(listed.code).toBe(0);
      expect(listed.stdout).not.toMatch(OBEYED);
      expect(listed.stdout).toContain(NAME_SHOWN);
    } finally {
      dir.cleanup();
    }
  });
});

describe("statusbox alerts log", () => {
  test("shows run names and receivers' errors with their controls visible", async () => {
    const receiver = startReceiver();
    receiver.answer(() => ({ status: 500, body: `down ${ESC}]52;c;b3duZWQ=\x07 \u202eyes` }));
    const kit = alertKit([{ name: "ops", type: "webhook", url: receiver.url }]);
    try {
      await kit.finish(HOSTILE, "fail");
      await kit.dispatcher.step();
      const result = await runStatusbox(["alerts", "log", "--db", kit.dbPath]);
      expect(result.code).toBe(0);
      expect(result.stdout).not.toMatch(OBEYED);
      expect(result.stdout).toContain(`${SHOWN} #1`);
      expect(result.stdout).toContain("HTTP 500: down \\x1b]52;c;b3duZWQ=\\x07 \\u202eyes");
    } finally {
      await kit.close();
      await receiver.stop();
    }
  });
});
