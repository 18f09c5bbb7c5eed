/** JSON Schema pieces shared by the route schemas (documentation and OpenAPI). */

export const str = (maxLength: number, extra: Record<string, unknown> = {}) => ({ type: "string", maxLength, ...extra });
export const idRef = { type: "object", properties: { id: str(64) }, required: ["id"] } as const;
export const listQuery = {
  type: "object",
  properties: { page_size: { type: "integer", minimum: 1, maximum: 100, default: 10 }, page_token: str(512) },
} as const;
export const metadata = {
  type: "object",
  properties: { self: str(2048), resource_name: str(2048), created_at: str(40), updated_at: str(40) },
} as const;
export const listMetadataSchema = { type: "object", properties: { first: str(4096), next: str(4096) } } as const;
export const v2Errors = {
  type: "object",
  properties: {
    errors: {
      type: "array",
      items: {
        type: "object",
        properties: { id: str(64), status: str(3), code: str(64), title: str(64), detail: str(65536), source: { type: "object", properties: { pointer: str(1024) } } },
      },
    },
  },
} as const;
export const connectError = { type: "object", properties: { error: { type: "object", properties: { code: { type: "integer" }, message: str(1_048_576) } } } } as const;

/** Standard error responses of a v2 route. */
export function v2ErrorResponses(...statuses: number[]): Record<string, unknown> {
  return Object.fromEntries([401, ...statuses].map((s) => [String(s), v2Errors]));
}

export function connectErrorResponses(...statuses: number[]): Record<string, unknown> {
  return Object.fromEntries([401, ...statuses].map((s) => [String(s), connectError]));
}
