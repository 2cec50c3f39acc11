/**
 * The errors the domain and the edges throw on purpose. Each carries a stable machine code
 * and the HTTP status it maps to; `message` is one sentence meant for a person.
 */
export type ErrorCode =
  | "bad_request"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "payload_too_large"
  | "idempotency_key_reused"
  | "unavailable";

const STATUS_OF_CODE: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  idempotency_key_reused: 422,
  unavailable: 503,
};

export class StatusBoxError extends Error {
  readonly code: ErrorCode;
  readonly status: number;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = "StatusBoxError";
    this.code = code;
    this.status = STATUS_OF_CODE[code];
  }
}

export const badRequest = (message: string) => new StatusBoxError("bad_request", message);
export const notFound = (message: string) => new StatusBoxError("not_found", message);
export const conflict = (message: string) => new StatusBoxError("conflict", message);
export const unavailable = (message: string) => new StatusBoxError("unavailable", message);
