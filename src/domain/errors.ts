/**
 * The small vocabulary of failures services raise. One table in http/ maps
 * them to status codes and each API family's error body; the CLI rebuilds
 * them from those bodies. Messages are lowercase-first sentences for people,
 * name the field or resource, and never carry a secret value.
 */

export interface FieldProblem {
  /** A config key, a JSON pointer-ish field path (`spec.region`), or a query parameter. */
  readonly field: string;
  readonly message: string;
}

export abstract class DomainError extends Error {
  abstract readonly kind: "input" | "not-found" | "conflict" | "not-allowed" | "authentication" | "too-many-requests" | "unavailable" | "unprocessable";
}

/** The request is malformed or invalid; `problems` lists every field at once. */
export class InputError extends DomainError {
  readonly kind = "input";
  constructor(message: string, readonly problems: readonly FieldProblem[] = []) {
    super(message);
    this.name = "InputError";
  }
}

export class NotFoundError extends DomainError {
  readonly kind = "not-found";
  constructor(message: string) {
    super(message);
    this.name = "NotFoundError";
  }
}

export class ConflictError extends DomainError {
  readonly kind = "conflict";
  constructor(message: string) {
    super(message);
    this.name = "ConflictError";
  }
}

export class NotAllowedError extends DomainError {
  readonly kind = "not-allowed";
  constructor(message: string) {
    super(message);
    this.name = "NotAllowedError";
  }
}

export class AuthenticationError extends DomainError {
  readonly kind = "authentication";
  constructor(message = "invalid API key and secret, or none given") {
    super(message);
    this.name = "AuthenticationError";
  }
}

/** A dependency (database, Kafka Connect, a vault) is not answering; retrying later may work. */
export class UnavailableError extends DomainError {
  readonly kind = "unavailable";
  constructor(message: string, readonly retryAfterSeconds?: number) {
    super(message);
    this.name = "UnavailableError";
  }
}

/** The request is well formed but cannot be served as things are (e.g. a secret the vault refuses); retrying will not help until something changes. */
export class UnprocessableError extends DomainError {
  readonly kind = "unprocessable";
  /** `problems`: the fields the request cannot be processed for, when there are some. */
  constructor(message: string, readonly problems: readonly FieldProblem[] = []) {
    super(message);
    this.name = "UnprocessableError";
  }
}

/** The caller must slow down (e.g. too many failed sign-ins from one address). */
export class TooManyRequestsError extends DomainError {
  readonly kind = "too-many-requests";
  constructor(message: string, readonly retryAfterSeconds: number) {
    super(message);
    this.name = "TooManyRequestsError";
  }
}
