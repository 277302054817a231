// `npm run package`: builds fledge's CloudFormation template and function zips into .serverless/
// with the Serverless Framework fork osls — offline, with no AWS credentials (docs/deploy.md).
// Extra arguments go to `serverless package`, e.g. `npm run package -- --stage prod --param "managedFunctions=orders-*"`.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const serverless = createRequire(import.meta.url).resolve('osls/bin/serverless.js');
const result = spawnSync(process.execPath, [serverless, 'package', ...process.argv.slice(2)], {
  stdio: 'inherit',
  // No telemetry, no update notices: both would try the network.
  env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
});
process.exit(result.status ?? 1);
