/**
 * The StatusBox client, for TypeScript and JavaScript programs:
 *
 *   import { StatusBoxClient } from "statusbox/client";
 *
 * See StatusBoxClient for the methods and the README for an example.
 */
export { StatusBoxClient, DEFAULT_URL } from "./client.ts";
export type { BatchOptions, CallOptions, ClientOptions } from "./client.ts";
export { StatusBoxApiError, StatusBoxConnectionError } from "./errors.ts";
export { DEFAULT_RETRY, type RetryOptions } from "./retry.ts";
export { MAX_BATCH_BYTES, MAX_BATCH_ITEMS } from "./batches.ts";
export type {
  EndDetails,
  EndSignal,
  EventStream,
  Job,
  JobEvent,
  JobName,
  JobStatus,
  LogItem,
  NewJob,
  RunTally,
  Schedule,
  ScheduleFields,
} from "./types.ts";
