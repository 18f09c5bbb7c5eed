/** Random identifiers in the shapes Azure uses. */
import { randomBytes, randomUUID } from "node:crypto";

/** A lowercase GUID, as tenant ids, app ids and object ids are. */
export function newGuid(): string {
  return randomUUID();
}

/** A secret version: 32 lowercase hex characters. */
export function newSecretVersion(): string {
  return randomBytes(16).toString("hex");
}

/** A client secret in the shape Entra ID issues: 40 characters with `8Q~` after the first three. */
export function newClientSecret(): string {
  const text = randomBytes(28).toString("base64url"); // 38 characters
  return `${text.slice(0, 3)}8Q~${text.slice(3, 37)}`;
}
