/**
 * bench/auth: what a failed sign-in costs, for a known key id with a wrong
 * secret and for an unknown key id, measured from this process against
 * `vaultwire server` running in its own (the built binary, SQLite). The two
 * should cost the same — both pay scrypt — so that key ids cannot be
 * enumerated by timing; the baseline is GET /health in the same run. The
 * failed sign-in limiter is per (address, key id), so every attempt uses a
 * fresh unknown id and the known key is never locked (a success between
 * rounds clears its count).
 *
 *   npm run build && npm run bench:auth    (VAULTWIRE_BENCH_REQUESTS=N per case, at most and by default 45)
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// Two failures per round: 45 rounds stay under the 100 failures per address per minute that lock an address.
const REQUESTS = Math.min(45, Number(process.env.VAULTWIRE_BENCH_REQUESTS ?? "45"));
const KEY = "BENCHAUTHKEY0001";
const SECRET = "bench-auth-secret-0123456789abcdef";
const bin = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));

const dataDir = await mkdtemp(join(tmpdir(), "vaultwire-bench-auth-"));
const child = spawn(process.execPath, [bin, "server", "--port", "0", "--data-dir", dataDir], {
  env: { PATH: process.env.PATH ?? "", VAULTWIRE_LOG_LEVEL: "warn", VAULTWIRE_BOOTSTRAP_API_KEY: KEY, VAULTWIRE_BOOTSTRAP_API_SECRET: SECRET, VAULTWIRE_DRAIN_MS: "0" },
  stdio: ["ignore", "ignore", "pipe"],
});
const url = await new Promise<string>((resolve, reject) => {
  let stderr = "";
  const timer = setTimeout(() => { reject(new Error(`server did not start: ${stderr}`)); }, 30_000);
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
    const match = /listening on (http:\/\/\S+)/.exec(stderr);
    if (match?.[1]) {
      clearTimeout(timer);
      resolve(match[1]);
    }
  });
});

const basic = (key: string, secret: string) => ({ authorization: `Basic ${Buffer.from(`${key}:${secret}`).toString("base64")}` });

async function timed(path: string, headers: Record<string, string>): Promise<{ ms: number; status: number }> {
  const started = performance.now();
  const response = await fetch(`${url}${path}`, { headers });
  await response.arrayBuffer();
  return { ms: performance.now() - started, status: response.status };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

try {
  const health: number[] = [];
  const wrong: number[] = [];
  const unknown: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    health.push((await timed("/health", {})).ms);
    const w = await timed("/org/v2/environments", basic(KEY, `${SECRET}-wrong-${i}`));
    const u = await timed("/org/v2/environments", basic(`UNKNOWN${String(i).padStart(9, "0")}`, `${SECRET}-wrong-${i}`));
    if (w.status !== 401 || u.status !== 401) throw new Error(`expected 401s, got ${w.status} and ${u.status}`);
    wrong.push(w.ms);
    unknown.push(u.ms);
    const right = await timed("/org/v2/environments", basic(KEY, SECRET));
    if (right.status !== 200) throw new Error(`the right secret was refused: ${right.status} after ${w.status} ${u.status} at ${i}`);
  }
  const [h, w, u] = [median(health), median(wrong), median(unknown)];
  console.log(`bench/auth, ${REQUESTS} requests per case, medians (server in its own process):`);
  console.log(`  GET /health (baseline)         ${h.toFixed(2)} ms`);
  console.log(`  known key id, wrong secret     ${w.toFixed(2)} ms  (${(w / h).toFixed(1)}× baseline)`);
  console.log(`  unknown key id                 ${u.toFixed(2)} ms  (${(u / h).toFixed(1)}× baseline)`);
  console.log(`  unknown / wrong secret         ${(u / w).toFixed(2)} (1.00 means ids cannot be told apart by time)`);
} finally {
  child.kill("SIGTERM");
  await new Promise((resolve) => child.once("exit", resolve));
  await rm(dataDir, { recursive: true, force: true });
}
