import type { FingerprintRules } from "./fuzz-fingerprint.ts";

/**
 * What a daemon with a real clock writes on its own, left out of the fingerprint so that it
 * is never blamed on the request in flight at the time; everything a request can store is
 * still compared.
 *
 * - A run reaching its deadline turns `timed_out`, finished at its deadline, with one more
 *   event, a status event "timed_out: ...". Such a run is compared as still running; no
 *   request can time a run out (an end signal meeting an overdue run is a 409, exempt).
 * - A schedule's checker records `missed` runs, each with a status event "missed: ...", and
 *   moves the schedule's window. No request can make a missed run.
 * - A key's `last used` is touched, once a minute, by any request that shows the key.
 * - Retention never trims a run here: the process target keeps every event.
 */
export const WHAT_REQUESTS_STORE: FingerprintRules = {
  skip: ["api_keys"],
  rows: {
    runs: "status != 'missed'",
    events: "NOT (kind = 'status' AND (message GLOB 'timed_out:*' OR message GLOB 'missed:*'))",
  },
  columns: {
    runs: {
      status: "(CASE WHEN status = 'timed_out' THEN 'running' ELSE status END)",
      finished_at: "(CASE WHEN status = 'timed_out' THEN NULL ELSE finished_at END)",
      event_count: "(event_count - (status = 'timed_out'))",
    },
    schedules: { window_opens_at: null, next_expected_at: null },
  },
};
