/** A refused admin call (programmatic or over HTTP): bad input, unknown name, or a clash. */
export class EmulatorAdminError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 404 | 409 = 400,
  ) {
    super(message);
    this.name = "EmulatorAdminError";
  }
}

export function notFound(message: string): EmulatorAdminError {
  return new EmulatorAdminError(message, 404);
}

export function conflict(message: string): EmulatorAdminError {
  return new EmulatorAdminError(message, 409);
}
