import packageJson from '../package.json' with { type: 'json' };
import { createProgram, run } from './program';

const program = createProgram(packageJson.version);
// Commands register themselves here, one line each.

process.exitCode = await run(program, process.argv);
