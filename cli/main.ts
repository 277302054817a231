import packageJson from '../package.json' with { type: 'json' };
import { createProgram, run } from './program';
import { registerPlan } from './commands/plan';
import { registerValidate } from './commands/validate';
import { registerLocalAws } from './commands/local-aws';
import { registerTraffic } from './commands/traffic';
import { registerLocal } from './commands/local';
import { registerDemo } from './commands/demo';
import { registerDeploy } from './commands/deploy';
import { registerStatus } from './commands/status';
import { registerHistory } from './commands/history';
import { registerApprove } from './commands/approve';
import { registerReject } from './commands/reject';
import { registerStop } from './commands/stop';
import { registerPromote } from './commands/promote';
import { registerMetrics } from './commands/metrics';
import { registerDashboard } from './commands/dashboard';

const program = createProgram(packageJson.version);
// Commands register themselves here, one line each.
registerValidate(program);
registerPlan(program);
registerLocalAws(program);
registerTraffic(program);
registerLocal(program);
registerDemo(program);
registerDeploy(program);
registerStatus(program);
registerHistory(program);
registerApprove(program);
registerReject(program);
registerStop(program);
registerPromote(program);
registerMetrics(program);
registerDashboard(program);

process.exitCode = await run(program, process.argv);
