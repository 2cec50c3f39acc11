import type { Database } from "bun:sqlite";
import type { DeliveryOutcome } from "./outbox-store.ts";

/** One attempt as `statusbox alerts log` shows it, with the alert it was for. */
export interface DeliveryLogEntry {
  id: number;
  at: number;
  channel: string;
  outcome: DeliveryOutcome;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  runId: number | null;
  runName: string;
  trigger: string;
  /** The alert's state now: pending (will retry), delivered or failed. */
  state: string;
}

/**
 * The most recent delivery attempts, newest first, optionally of one channel. Reads only,
 * so it works on a read-only connection while the daemon runs.
 */
export function recentDeliveries(
  db: Database,
  options: { limit: number; channel?: string },
): DeliveryLogEntry[] {
  const rows = db
    .query<Record<string, unknown>, { limit: number; channel: string | null }>(
      `SELECT a.id, a.at, a.channel, a.outcome, a.status_code, a.error, a.duration_ms,
         o.run_id, o.run_name, o.trigger, o.state
       FROM alert_attempts a JOIN alert_outbox o ON o.id = a.outbox_id
       WHERE $channel IS NULL OR a.channel = $channel
       ORDER BY a.id DESC LIMIT $limit`,
    )
    .all({ limit: options.limit, channel: options.channel ?? null });
  return rows.map((row) => ({
    id: row.id as number,
    at: row.at as number,
    channel: row.channel as string,
    outcome: row.outcome as DeliveryOutcome,
    statusCode: row.status_code as number | null,
    error: row.error as string | null,
    durationMs: row.duration_ms as number,
    runId: row.run_id as number | null,
    runName: row.run_name as string,
    trigger: row.trigger as string,
    state: row.state as string,
  }));
}

/** Alerts not yet delivered nor given up (of one channel, if given), and when the next is due. */
export function pendingAlerts(
  db: Database,
  channel?: string,
): { count: number; nextAttemptAt: number | null } {
  const row = db
    .query<{ count: number; next: number | null }, { channel: string | null }>(
      `SELECT count(*) AS count, min(next_attempt_at) AS next
       FROM alert_outbox WHERE state = 'pending' AND ($channel IS NULL OR channel = $channel)`,
    )
    .get({ channel: channel ?? null });
  return { count: row?.count ?? 0, nextAttemptAt: row?.next ?? null };
}
