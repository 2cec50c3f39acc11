/**
 * The load of the crash harness: clients that create runs, log events one at a time and in
 * batches, and end runs, writing down in a ledger every write the daemon answered 200, and
 * every write it did not answer (which may or may not have been stored, but never in part).
 */

export type Signal = "complete" | "fail" | "cancel";

export const STATUS_OF: Record<Signal, string> = {
  complete: "completed",
  fail: "failed",
  cancel: "cancelled",
};

export interface EndSent {
  signal: Signal;
  exitCode?: number;
  message?: string;
}

export interface ExpectedRun {
  id: number;
  name: string;
  version: string | null;
  timeoutSeconds: number;
  /** Log messages answered 200 (single or in a batch): each must be stored exactly once. */
  logs: string[];
  /** Log messages sent but not answered: stored at most once. */
  unansweredLogs: string[];
  /** Batches sent but not answered: all of their messages stored, or none. */
  unansweredBatches: string[][];
  end: EndSent | null;
  unansweredEnds: EndSent[];
}

export interface Ledger {
  runs: Map<number, ExpectedRun>;
  /** Writes answered 200, of every kind (a batch counts once per message). */
  acknowledged: number;
  /** Answers that break the API's promises (a 5xx, an unexpected status). */
  problems: string[];
  /** Why each unanswered request got no answer (the error's name: a hang is a TimeoutError). */
  unanswered: string[];
}

export const newLedger = (): Ledger => ({
  runs: new Map(),
  acknowledged: 0,
  problems: [],
  unanswered: [],
});

/** A small seeded generator (mulberry32), so that a failing cycle can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface LoadContext {
  url: string;
  auth: Record<string, string>;
  ledger: Ledger;
  tag: string;
  random: () => number;
  stopped: () => boolean;
}

/** POSTs JSON; answers the status and parsed body, or null when no answer came. */
async function post(ctx: LoadContext, path: string, body: unknown) {
  try {
    const response = await fetch(ctx.url + path, {
      method: "POST",
      headers: { ...ctx.auth, "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    if (response.status >= 500)
      ctx.ledger.problems.push(`${path} answered ${response.status}: ${text}`);
    return { status: response.status, body: text === "" ? null : (JSON.parse(text) as unknown) };
  } catch (error) {
    // The daemon went away mid-request; a TimeoutError would mean it hung instead.
    const { name, code } = error as { name: string; code?: unknown };
    ctx.ledger.unanswered.push(typeof code === "string" ? `${name} ${code}` : name);
    return null;
  }
}

/** One client: runs one after another until `stopped`, or until the daemon stops answering. */
export async function crashClient(ctx: LoadContext, n: number): Promise<void> {
  const { random, ledger } = ctx;
  for (let i = 0; !ctx.stopped(); i++) {
    const name = `${ctx.tag}-${n}-${i}`;
    const short = random() < 0.3;
    const timeoutSeconds = short ? 1 + Math.round(random() * 2000) / 1000 : 600;
    const version = random() < 0.5 ? `v${i}` : null;
    const created = await post(ctx, "/api/jobs/", { name, timeoutSeconds, version });
    if (created === null) return;
    if (created.status !== 200) {
      ledger.problems.push(`create answered ${created.status}`);
      return;
    }
    const id = (created.body as { id: number }).id;
    const run: ExpectedRun = {
      ...{ id, name, version, timeoutSeconds, logs: [], unansweredLogs: [] },
      ...{ unansweredBatches: [], end: null, unansweredEnds: [] },
    };
    ledger.runs.set(id, run);
    ledger.acknowledged++;

    for (let step = Math.floor(random() * 4); step > 0; step--) {
      if (!(await sendLogs(ctx, run, step))) return;
    }
    if (!short || random() < 0.5) {
      if (!(await sendEnd(ctx, run))) return;
    }
  }
}

async function sendLogs(ctx: LoadContext, run: ExpectedRun, step: number): Promise<boolean> {
  const many = ctx.random() < 0.4;
  const count = many ? 1 + Math.floor(ctx.random() * 5) : 1;
  const messages = Array.from({ length: count }, (_, k) => `${run.name} s${step} m${k}`);
  const answer = many
    ? await post(ctx, `/api/jobs/${run.id}/events`, { messages })
    : await post(ctx, `/jobs/${run.id}`, { message: messages[0] });

  if (answer?.status === 200) {
    run.logs.push(...messages);
    ctx.ledger.acknowledged += messages.length;
  } else if (many) {
    run.unansweredBatches.push(messages);
  } else {
    run.unansweredLogs.push(...messages);
  }
  if (answer !== null && answer.status !== 200) {
    ctx.ledger.problems.push(`log on run ${run.id} answered ${answer.status}`);
  }
  return answer !== null;
}

async function sendEnd(ctx: LoadContext, run: ExpectedRun): Promise<boolean> {
  const signals: Signal[] = ["complete", "fail", "cancel"];
  const end: EndSent = { signal: signals[Math.floor(ctx.random() * 3)]! };
  if (ctx.random() < 0.5) end.exitCode = Math.floor(ctx.random() * 256);
  if (ctx.random() < 0.5) end.message = `${run.name} ended`;
  const answer = await post(ctx, `/jobs/${run.id}/${end.signal}`, end);

  if (answer?.status === 200) {
    run.end = end;
    ctx.ledger.acknowledged++;
  } else if (answer === null) {
    run.unansweredEnds.push(end);
  }
  // A short run may have timed out first: then the end is refused (409) and recorded.
  if (answer !== null && answer.status !== 200 && answer.status !== 409) {
    ctx.ledger.problems.push(`${end.signal} on run ${run.id} answered ${answer.status}`);
  }
  return answer !== null;
}
