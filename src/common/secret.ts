// A secret (BMC or NUT password, API token) held so it cannot leak by accident: it prints
// as "[secret]" in strings, JSON and util.inspect; only reveal() gives the value, called
// where the value leaves the process (environment of a child, TLS, a request body).
import { inspect } from 'node:util';

export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '[secret]';
  }
  toJSON(): string {
    return '[secret]';
  }
  [inspect.custom](): string {
    return '[secret]';
  }
}
