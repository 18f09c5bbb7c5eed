/**
 * Where a running server is in its life, for /health/ready: started once it
 * listens with migrations run, draining from the first shutdown signal. The
 * drain is a wait of `drainMs` during which every request is still served
 * but readiness is 503, so load balancers stop sending new traffic before
 * the server stops listening; a second signal ends the wait at once.
 */
import type { Lifecycle } from "../http/health.js";

interface DrainLogger {
  info(object: object, message: string): void;
  info(message: string): void;
}

export class ServerLifecycle implements Lifecycle {
  started = false;
  private wait: { readonly promise: Promise<void>; end(cutShort: boolean): void } | undefined;

  constructor(private readonly drainMs: number, private readonly logger: DrainLogger) {}

  get draining(): boolean {
    return this.wait !== undefined;
  }

  /** Starts draining and resolves after drainMs; called again during the wait, ends it at once. */
  drain(): Promise<void> {
    if (this.wait) {
      this.wait.end(true);
      return this.wait.promise;
    }
    this.logger.info({ drainMs: this.drainMs }, "draining: /health/ready answers 503, requests are still served");
    let over = false;
    let resolve = (): void => undefined;
    const promise = new Promise<void>((done) => { resolve = done; });
    const timer = setTimeout(() => { this.wait?.end(false); }, this.drainMs);
    this.wait = {
      promise,
      end: (cutShort) => {
        if (over) return;
        over = true;
        clearTimeout(timer);
        if (cutShort) this.logger.info("drain cut short");
        resolve();
      },
    };
    return promise;
  }

  /** Draining from now on, without waiting (the server is closing): ends a wait in progress. */
  stopWaiting(): void {
    if (!this.wait) this.wait = { promise: Promise.resolve(), end: () => undefined };
    else this.wait.end(false);
  }
}
