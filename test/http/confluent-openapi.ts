// Checks a response body against the schema Confluent's own OpenAPI document
// (shared/reference/confluent-openapi/) gives the operation and status: the
// wire contract Confluent's clients are generated from. OpenAPI 3.0 schema
// objects as those documents use them: $ref, allOf, type with nullable,
// enum, required, properties, items, min/maxLength, pattern, format uri and
// date-time. Properties the document does not name are allowed (vaultwire's
// additions are optional fields).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

const REFERENCE = join(import.meta.dirname, "..", "..", "..", "shared", "reference", "confluent-openapi");
/** Where the reference documents are: beside the worktree in development, under /work/shared otherwise. */
function documentPath(file: string): string {
  for (const dir of [REFERENCE, "/work/shared/reference/confluent-openapi"]) {
    try {
      readFileSync(join(dir, file));
      return join(dir, file);
    } catch {
      continue;
    }
  }
  throw new Error(`Confluent's OpenAPI document ${file} was not found under shared/reference/confluent-openapi/`);
}

type Schema = Record<string, unknown>;

export class ConfluentDocument {
  readonly #doc: Schema;

  constructor(file: string) {
    this.#doc = parse(readFileSync(documentPath(file), "utf8")) as Schema;
  }

  /** The schema of an operation's response (`GET /iam/v2/api-keys/{id}`, 200), or undefined when the document has none. */
  responseSchema(method: string, path: string, status: number): Schema | undefined {
    const paths = this.#doc.paths as Record<string, Record<string, Schema>>;
    const operation = paths[path]?.[method.toLowerCase()];
    if (operation === undefined) throw new Error(`Confluent's document has no ${method} ${path}`);
    const responses = operation.responses as Record<string, Schema>;
    const response = responses[String(status)];
    if (response === undefined) throw new Error(`Confluent's document has no ${status} for ${method} ${path} (it has ${Object.keys(responses).join(", ")})`);
    const content = response.content as Record<string, { schema?: Schema }> | undefined;
    return content?.["application/json"]?.schema;
  }

  /** Every way `value` breaks the response schema of the operation; empty when it conforms. */
  check(method: string, path: string, status: number, value: unknown): string[] {
    const schema = this.responseSchema(method, path, status);
    if (schema === undefined) return value === undefined || value === "" ? [] : [`${method} ${path} ${status} has no body in Confluent's document`];
    const problems: string[] = [];
    this.#validate(schema, value, "$", problems);
    return problems;
  }

  #resolve(schema: Schema): Schema {
    let current = schema;
    while (typeof current.$ref === "string") {
      const ref = current.$ref;
      if (!ref.startsWith("#/")) throw new Error(`external $ref ${ref}`);
      current = ref.slice(2).split("/").reduce<Schema>((node, key) => node[key] as Schema, this.#doc);
    }
    return current;
  }

  #validate(raw: Schema, value: unknown, at: string, problems: string[]): void {
    const schema = this.#resolve(raw);
    if (Array.isArray(schema.allOf)) for (const part of schema.allOf as Schema[]) this.#validate(part, value, at, problems);
    if (value === null) {
      if (schema.nullable !== true && schema.type !== undefined) problems.push(`${at} is null`);
      return;
    }
    const type = schema.type as string | undefined;
    const actual = Array.isArray(value) ? "array" : Number.isInteger(value) ? "integer" : typeof value;
    if (type !== undefined && type !== actual && !(type === "number" && actual === "integer")) {
      problems.push(`${at} must be ${type}, is ${actual}`);
      return;
    }
    if (Array.isArray(schema.enum) && !schema.enum.includes(value)) problems.push(`${at} must be one of ${JSON.stringify(schema.enum)}, is ${JSON.stringify(value)}`);
    if (typeof value === "string") {
      // JSON Schema counts code points.
      const length = Array.from(value).length;
      if (typeof schema.maxLength === "number" && length > schema.maxLength) problems.push(`${at} is longer than ${schema.maxLength}`);
      if (typeof schema.minLength === "number" && length < schema.minLength) problems.push(`${at} is shorter than ${schema.minLength}`);
      if (typeof schema.pattern === "string" && !new RegExp(schema.pattern).test(value)) problems.push(`${at} does not match ${schema.pattern}`);
      if (schema.format === "uri" && !/^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(value)) problems.push(`${at} is not a URI: ${value}`);
      if (schema.format === "date-time" && Number.isNaN(Date.parse(value))) problems.push(`${at} is not a date-time: ${value}`);
    }
    if (Array.isArray(value) && schema.items !== undefined) value.forEach((item, i) => { this.#validate(schema.items as Schema, item, `${at}[${i}]`, problems); });
    if (typeof value === "object" && !Array.isArray(value)) {
      const record = value as Record<string, unknown>;
      for (const name of (schema.required as string[] | undefined) ?? []) if (!(name in record)) problems.push(`${at}.${name} is required`);
      const properties = (schema.properties as Record<string, Schema> | undefined) ?? {};
      for (const [name, child] of Object.entries(properties)) if (record[name] !== undefined) this.#validate(child, record[name], `${at}.${name}`, problems);
    }
  }
}

export const IAM_V2 = new ConfluentDocument("iam-v2.yaml");
export const API_KEYS_V2 = new ConfluentDocument("apikeys-v2.yaml");
export const MDS_V2 = new ConfluentDocument("mds-v2-role-bindings.yaml");
