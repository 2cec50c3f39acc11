import type { Database } from "bun:sqlite";

/** A channel whose latest delivery attempt did not deliver. */
export interface FailingChannel {
  channel: string;
  /** The first failed attempt since the channel last delivered (ms since the epoch). */
  since: number;
  /** The latest attempt's error, and its status code when there was one. */
  lastError: string | null;
  statusCode: number | null;
  /** Alerts for this channel still waiting to be delivered. */
  pending: number;
}

/**
 * The channels that are failing now: those whose most recent attempt failed, newest failure
 * first. Meant for the TUI's header; it only reads, so a read-only connection will do, and
 * a database from before alerts existed simply has no failing channel.
 */
export function failingChannels(db: Database): FailingChannel[] {
  try {
    return db
      .query<FailingChannel, []>(
        `WITH latest AS (
           SELECT channel, max(id) AS id FROM alert_attempts GROUP BY channel
         )
         SELECT a.channel,
           (SELECT min(f.at) FROM alert_attempts f
             WHERE f.channel = a.channel AND f.id > coalesce(
               (SELECT max(d.id) FROM alert_attempts d
                 WHERE d.channel = a.channel AND d.outcome = 'delivered'), 0)) AS since,
           a.error AS lastError,
           a.status_code AS statusCode,
           (SELECT count(*) FROM alert_outbox o
             WHERE o.channel = a.channel AND o.state = 'pending') AS pending
         FROM latest JOIN alert_attempts a ON a.id = latest.id
         WHERE a.outcome != 'delivered'
         ORDER BY a.at DESC`,
      )
      .all();
  } catch (error) {
    if (/no such table/.test(String(error))) return [];
    throw error;
  }
}
