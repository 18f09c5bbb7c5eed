/**
 * A secret value held in memory. It cannot leak by accident: printing,
 * logging, string interpolation and JSON serialisation all show a
 * placeholder; only `reveal()` gives the value, at the one place that needs it.
 */
import { inspect } from "node:util";

const PLACEHOLDER = "[secret value]";

export class SecretValue {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return PLACEHOLDER;
  }

  toJSON(): string {
    return PLACEHOLDER;
  }

  [inspect.custom](): string {
    return PLACEHOLDER;
  }
}
