/**
 * A secret value held in memory. It cannot leak by accident: printing,
 * logging, string interpolation and JSON serialisation all show a
 * placeholder; only `reveal()` gives the value, at the one place that needs it.
 */
import { inspect } from "node:util";

/** Something held in memory that shows only `placeholder` when printed, logged, interpolated or serialised. */
export abstract class Redacted {
  readonly #placeholder: string;

  protected constructor(placeholder: string) {
    this.#placeholder = placeholder;
  }

  toString(): string {
    return this.#placeholder;
  }

  toJSON(): string {
    return this.#placeholder;
  }

  [inspect.custom](): string {
    return this.#placeholder;
  }
}

export class SecretValue extends Redacted {
  readonly #value: string;

  constructor(value: string) {
    super("[secret value]");
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }
}
