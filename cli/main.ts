import packageJson from '../package.json' with { type: 'json' };
import { createProgram, run } from './program';
import { registerPlan } from './commands/plan';
import { registerValidate } from './commands/validate';
import { registerLocalAws } from './commands/local-aws';

const program = createProgram(packageJson.version);
// Commands register themselves here, one line each.
registerValidate(program);
registerPlan(program);
registerLocalAws(program);

process.exitCode = await run(program, process.argv);
