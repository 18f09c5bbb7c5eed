// moto for the suites that need AWS. The implementation is src/dev/moto.ts
// (the quickstart starts moto too, and product scripts import no test code):
// each suite starts its own moto_server on a free loopback port, so one suite
// switching IAM enforcement on (POST /moto-api/reset-auth) never affects
// another running in parallel. .ci/run installs moto and exports
// VAULTWIRE_TEST_MOTO_SERVER (the moto_server binary); without it the suites
// skip with a message (required in CI).
import { motoBinary } from "../../src/dev/moto.js";

export { MOTO_ACCOUNT, motoBinary, motoRoleArn, setUpAwsAccount, startMoto, type AwsAccount, type Moto } from "../../src/dev/moto.js";

/** Throws in CI when moto is missing; otherwise says why the suite is skipped. Returns whether moto can run. */
export function requireMoto(suite: string): boolean {
  const binary = motoBinary();
  if (binary !== undefined) return true;
  if (process.env.CI !== undefined && process.env.CI !== "") throw new Error(`CI: ${suite} needs moto_server (.ci/run installs it and exports VAULTWIRE_TEST_MOTO_SERVER)`);
  console.warn(`${suite} (skipped: install moto[server]==5.2.5 into ~/.cache/vaultwire/moto-venv as .ci/run does, or set VAULTWIRE_TEST_MOTO_SERVER)`);
  return false;
}
