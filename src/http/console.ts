/**
 * Serves the web console (built by Vite into dist/console/) at `/`: static
 * assets with their content types and caching headers, and index.html for
 * the console's own routes (a GET that accepts text/html outside the API).
 * Every console route is public: the page itself signs in with an API key.
 * Files are read once at start-up (the bundle is small) and served from
 * memory, so no request path ever reaches the file system.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { extname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/** Path prefixes that belong to the API; unknown paths under them keep the API's 401/404 answers. */
export const API_PREFIXES = ["/org", "/cmk", "/pim", "/iam", "/connect", "/internal", "/health", "/metrics", "/openapi.json"] as const;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};
const COMPRESSIBLE = new Set([".html", ".js", ".mjs", ".css", ".json", ".map", ".svg", ".txt"]);

/** The page may load only its own scripts and styles and talk only to this server. */
const CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

interface ConsoleFile {
  readonly body: Buffer;
  readonly gzip: Buffer | null;
  readonly contentType: string;
  readonly etag: string;
  readonly cacheControl: string;
}

export interface ConsoleOptions {
  /** The built console (index.html and assets/); found beside the compiled server by default. */
  readonly directory?: string;
}

/** dist/console next to dist/http (the package), or <repo>/dist/console when running from src/. */
export function findConsoleDirectory(): string | null {
  for (const candidate of ["../console/", "../../dist/console/"]) {
    const directory = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(join(directory, "index.html"))) return directory;
  }
  return null;
}

function loadFiles(directory: string): Map<string, ConsoleFile> {
  const files = new Map<string, ConsoleFile>();
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        walk(path);
        continue;
      }
      const extension = extname(entry.name).toLowerCase();
      const contentType = CONTENT_TYPES[extension];
      if (!entry.isFile() || contentType === undefined) continue;
      const urlPath = `/${relative(directory, path).split(sep).join("/")}`;
      const body = readFileSync(path);
      const gzip = COMPRESSIBLE.has(extension) && body.length > 1024 ? gzipSync(body, { level: 9 }) : null;
      files.set(urlPath, {
        body,
        gzip,
        contentType,
        etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`,
        // Vite puts content hashes in the names under assets/: those never change.
        cacheControl: urlPath.startsWith("/assets/") ? "public, max-age=31536000, immutable" : extension === ".html" ? "no-cache" : "public, max-age=3600",
      });
    }
  };
  walk(directory);
  return files;
}

function isApiPath(path: string): boolean {
  return API_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`) || path.startsWith(`${prefix}:`));
}

function acceptsHtml(request: FastifyRequest): boolean {
  return (request.headers.accept ?? "").toLowerCase().includes("text/html");
}

function send(request: FastifyRequest, reply: FastifyReply, file: ConsoleFile): FastifyReply {
  void reply
    .header("content-type", file.contentType)
    .header("cache-control", file.cacheControl)
    .header("etag", file.etag)
    .header("x-content-type-options", "nosniff")
    .header("vary", "accept-encoding");
  if (file.contentType.startsWith("text/html")) {
    void reply
      .header("content-security-policy", CONTENT_SECURITY_POLICY)
      .header("referrer-policy", "no-referrer")
      .header("x-frame-options", "DENY");
  }
  const ifNoneMatch = request.headers["if-none-match"];
  if (ifNoneMatch !== undefined && ifNoneMatch.split(",").some((tag) => tag.trim() === file.etag)) return reply.status(304).send();
  const gzip = file.gzip !== null && /\bgzip\b/.test(request.headers["accept-encoding"] ?? "");
  if (gzip) void reply.header("content-encoding", "gzip");
  return reply.send(gzip ? file.gzip : file.body);
}

/** Registers the console's routes; call once, after the API's routes. */
export function registerConsole(app: FastifyInstance, options: ConsoleOptions = {}): void {
  const directory = options.directory ?? findConsoleDirectory();
  const files = directory === null ? new Map<string, ConsoleFile>() : loadFiles(directory);
  const index = files.get("/index.html");
  const config = { public: true } as const;
  const schema = { hide: true } as const;

  const missing = (reply: FastifyReply): FastifyReply => reply.status(404).type("text/plain; charset=utf-8").header("cache-control", "no-store")
    .send("The web console is not built: run `npm run build` (it builds the console into dist/console/).\n");

  // Unknown GETs under the API's prefixes answer as before (authentication first, then 404).
  for (const prefix of API_PREFIXES) {
    if (prefix.includes(".") || prefix === "/health" || prefix === "/metrics") continue;
    app.get(`${prefix}/*`, { schema }, async (_request, reply) => notFound(reply));
  }

  app.get("/*", { config, schema }, async (request, reply) => {
    let path: string;
    try {
      path = decodeURIComponent(request.url.split("?")[0] ?? "/");
    } catch {
      return notFound(reply);
    }
    if (isApiPath(path)) return notFound(reply);
    const file = files.get(path === "/" ? "/index.html" : path);
    if (file) return send(request, reply, file);
    // The console's own routes (/connectors/…, /integrations/…) are index.html; other files are 404.
    const looksLikeFile = /\.[a-z0-9]+$/i.test(path) || path.startsWith("/assets/");
    if (path === "/" || (!looksLikeFile && acceptsHtml(request))) return index ? send(request, reply, index) : missing(reply);
    return notFound(reply);
  });
}

function notFound(reply: FastifyReply): FastifyReply {
  reply.callNotFound();
  return reply;
}
