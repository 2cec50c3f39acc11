import { Database } from "bun:sqlite";
import { STATUS_OF, type ExpectedRun, type Ledger } from "./crash-load.ts";

interface RunRow {
  id: number;
  name: string;
  version: string | null;
  status: string;
  timeout_seconds: number;
  deadline_at: number;
  finished_at: number | null;
  exit_code: number | null;
  end_message: string | null;
  event_count: number;
}

interface EventRow {
  run_id: number;
  kind: string;
  message: string;
}

export interface CheckResult {
  problems: string[];
  /** How many acknowledged writes were found as sent. */
  checked: number;
}

/**
 * Checks a database left by a killed daemon against the ledger of what it acknowledged:
 * the file is sound, every acknowledged write is there exactly as sent, nothing is there in
 * part, and no run is still running past `enforcedBefore` (its timeout was enforced).
 */
export function checkDatabase(dbPath: string, ledger: Ledger, enforcedBefore: number): CheckResult {
  const db = new Database(dbPath);
  try {
    const problems: string[] = [];
    const integrity = db.query("PRAGMA integrity_check").get() as { integrity_check: string };
    if (integrity.integrity_check !== "ok")
      problems.push(`integrity: ${integrity.integrity_check}`);

    const runs = new Map((db.query("SELECT * FROM runs").all() as RunRow[]).map((r) => [r.id, r]));
    const events = new Map<number, EventRow[]>();
    for (const event of db.query("SELECT run_id, kind, message FROM events ORDER BY id").all()) {
      const row = event as EventRow;
      if (!runs.has(row.run_id)) problems.push(`event without its run: ${row.run_id}`);
      events.set(row.run_id, [...(events.get(row.run_id) ?? []), row]);
    }

    for (const run of runs.values()) {
      checkShape(run, events.get(run.id) ?? [], enforcedBefore, problems);
    }
    let checked = 0;
    for (const expected of ledger.runs.values()) {
      checked += checkExpected(expected, runs.get(expected.id), events.get(expected.id), problems);
    }
    return { problems, checked };
  } finally {
    db.close();
  }
}

/** What holds for every run, acknowledged or not: it is whole, and its timeout enforced. */
function checkShape(run: RunRow, events: EventRow[], enforcedBefore: number, problems: string[]) {
  const where = `run ${run.id}`;
  const first = events[0];
  if (!first || first.kind !== "status" || !first.message.startsWith("running (timeout")) {
    problems.push(`${where} lacks its creation event`);
  }
  if (run.event_count !== events.length) {
    problems.push(`${where} counts ${run.event_count} events but has ${events.length}`);
  }
  if (run.status === "running") {
    if (run.finished_at !== null) problems.push(`${where} is running with a finish time`);
    if (run.deadline_at < enforcedBefore) problems.push(`${where} is running past its deadline`);
    return;
  }
  const announced = events.some((e) => e.kind === "status" && e.message.startsWith(run.status));
  if (!announced) problems.push(`${where} is ${run.status} without its status event`);
  if (run.status === "timed_out" && run.finished_at !== run.deadline_at) {
    problems.push(`${where} timed out at ${run.finished_at}, not its deadline ${run.deadline_at}`);
  }
}

/** Compares one acknowledged run with what is stored; answers how many writes it checked. */
function checkExpected(
  expected: ExpectedRun,
  row: RunRow | undefined,
  events: EventRow[] = [],
  problems: string[],
): number {
  const where = `run ${expected.id} (${expected.name})`;
  if (!row) {
    problems.push(`${where} was acknowledged but is missing`);
    return 0;
  }
  const sent = [expected.name, expected.version, expected.timeoutSeconds];
  const stored = [row.name, row.version, row.timeout_seconds];
  if (JSON.stringify(sent) !== JSON.stringify(stored)) {
    problems.push(`${where} stored as ${JSON.stringify(stored)}, sent ${JSON.stringify(sent)}`);
  }

  const logs = new Map<string, number>();
  for (const e of events) if (e.kind === "log") logs.set(e.message, (logs.get(e.message) ?? 0) + 1);
  for (const message of expected.logs) {
    if (logs.get(message) !== 1)
      problems.push(`${where}: '${message}' stored ${logs.get(message) ?? 0} times`);
  }
  for (const message of expected.unansweredLogs) {
    if ((logs.get(message) ?? 0) > 1) problems.push(`${where}: '${message}' stored twice`);
  }
  for (const batch of expected.unansweredBatches) {
    const present = batch.filter((message) => logs.get(message) === 1).length;
    if (present !== 0 && present !== batch.length) {
      problems.push(`${where}: a batch is stored in part (${present} of ${batch.length})`);
    }
  }

  if (expected.end) {
    const { signal, exitCode = null, message = null } = expected.end;
    const got = [row.status, row.exit_code, row.end_message];
    const want = [STATUS_OF[signal], exitCode, message];
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      problems.push(
        `${where} ended as ${JSON.stringify(got)}, acknowledged ${JSON.stringify(want)}`,
      );
    }
  } else {
    const allowed = [
      "running",
      "timed_out",
      ...expected.unansweredEnds.map((e) => STATUS_OF[e.signal]),
    ];
    if (!allowed.includes(row.status))
      problems.push(`${where} is ${row.status}, never acknowledged`);
  }
  return 1 + expected.logs.length + (expected.end ? 1 : 0);
}
