/**
 * `--wait`: polls a connector's state until RUNNING or FAILED, or until the
 * timeout. On a terminal it draws a spinner with the current state; otherwise
 * it prints one line per state change (logs stay readable).
 */
import type { CliIo } from "./io.js";

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const REAL_CLOCK: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface ObservedState {
  readonly state: string;
  readonly trace: string;
}

export type WaitOutcome =
  | { readonly kind: "running"; readonly last: ObservedState }
  | { readonly kind: "failed"; readonly last: ObservedState }
  | { readonly kind: "timeout"; readonly last: ObservedState };

export interface WaitOptions {
  readonly io: CliIo;
  /** How the progress names the connector, e.g. `connector "lcc-ab12cd34"`. */
  readonly label: string;
  readonly timeoutMs: number;
  readonly poll: () => Promise<ObservedState>;
  readonly pollIntervalMs?: number;
  readonly frameIntervalMs?: number;
  readonly clock?: Clock;
}

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const CLEAR_LINE = "\r\u001b[2K";

export async function waitForConnector(options: WaitOptions): Promise<WaitOutcome> {
  const { io, label, timeoutMs, poll } = options;
  const clock = options.clock ?? REAL_CLOCK;
  const pollInterval = options.pollIntervalMs ?? 1000;
  const frameInterval = options.frameIntervalMs ?? 100;
  const tty = io.stdoutIsTTY === true;
  const start = clock.now();
  const deadline = start + timeoutMs;
  let previous: string | undefined;
  let frame = 0;
  try {
    for (;;) {
      const observed = await poll();
      if (observed.state === "RUNNING") return { kind: "running", last: observed };
      if (observed.state === "FAILED") return { kind: "failed", last: observed };
      if (!tty && observed.state !== previous) io.stdout(`Waiting for ${label}: ${observed.state}\n`);
      previous = observed.state;
      if (clock.now() >= deadline) return { kind: "timeout", last: observed };
      const nextPoll = Math.min(clock.now() + pollInterval, deadline);
      while (clock.now() < nextPoll) {
        if (tty) {
          const seconds = Math.floor((clock.now() - start) / 1000);
          io.stdout(`${CLEAR_LINE}${FRAMES[frame % FRAMES.length] ?? ""} Waiting for ${label}: ${observed.state} (${seconds}s)`);
          frame++;
        }
        await clock.sleep(Math.max(1, Math.min(tty ? frameInterval : pollInterval, nextPoll - clock.now())));
      }
    }
  } finally {
    if (tty && frame > 0) io.stdout(CLEAR_LINE);
  }
}
