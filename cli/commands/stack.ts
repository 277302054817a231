import { spawnSync } from 'node:child_process';
import { globals } from '../globals';
import { relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { ExitCode, UsageError } from '../program';
import { assemble, installToolchain, oslsEntry, packageRoot, stackService } from '../stack/service';

const HELP = `
Examples:
  $ fledge stack package --stage prod --region eu-west-1              # offline: template + zips, no credentials
  $ fledge stack deploy --stage prod --region eu-west-1 --param "managedFunctions=orders-*" --param approvalEmail=ops@example.com
  $ fledge stack remove --stage prod --region eu-west-1 --profile admin
  $ fledge stack deploy --stage prod --dry-run                       # print what would run

Builds, deploys or removes fledge's control plane (serverless.yml, with osls) in your AWS
account, from the installed package: no checkout needed. --param passes the stack's parameters
(docs/deploy.md: managedFunctions, managedRoles, artifactBuckets, approvalEmail, …). The first
run from an installed package installs osls and its plugins into .fledge/stack/ with npm.
The stack's outputs name the artifacts bucket, the API, and the DeployerPolicyArn and
ApproverPolicyArn for CI and approvers. Exit codes: 0 done, 2 usage error, otherwise osls's own.`;

interface StackOptions {
  stage: string;
  region: string;
  profile?: string;
  param: string[];
  out?: string;
  dryRun?: boolean;
}

const ACTIONS = ['package', 'deploy', 'remove'] as const;
const NAME = /^[A-Za-z][A-Za-z0-9-]{0,63}$/;

/** The osls arguments of a stack command: stage, region, profile and params, checked. */
export function oslsArguments(action: (typeof ACTIONS)[number], options: StackOptions): string[] {
  if (!NAME.test(options.stage)) throw new UsageError(`--stage must be 1-64 letters, digits or "-", starting with a letter, got "${options.stage}"`);
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(options.region)) throw new UsageError(`--region must be an AWS region such as eu-west-1, got "${options.region}"`);
  if (options.profile !== undefined && !/^[\w.+@-]{1,128}$/.test(options.profile)) throw new UsageError(`--profile must be an AWS profile name, got "${options.profile}"`);
  for (const param of options.param) {
    if (!/^[A-Za-z][A-Za-z0-9]*=/.test(param)) throw new UsageError(`--param must be name=value (e.g. "managedFunctions=orders-*"), got "${param}"`);
  }
  return [
    action,
    '--stage', options.stage,
    '--region', options.region,
    ...(options.profile !== undefined ? ['--aws-profile', options.profile] : []),
    ...options.param.flatMap((param) => ['--param', param]),
    ...(action === 'package' ? ['--package', resolve(options.out ?? '.fledge/stack/package')] : []),
  ];
}

/** Registers `fledge stack package|deploy|remove`. */
export function registerStack(program: Command): void {
  const stack = program.command('stack').description("Build, deploy or remove fledge's control plane in your AWS account (osls, from the installed package)").addHelpText('after', HELP);
  for (const action of ACTIONS) {
    stack
      .command(action)
      .description({ package: 'Build the CloudFormation template and function zips, offline', deploy: 'Deploy (or update) the stack', remove: 'Remove the stack (the table and the bucket are retained)' }[action])
      .option('--stage <name>', 'the stage: fledge-<stage>-… names everything', 'dev')
      .option('--param <name=value>', "a stack parameter (repeatable): managedFunctions, managedRoles, artifactBuckets, imageRepositories, approvalEmail, slack, …", (value: string, all: string[]) => [...all, value], [])
      .option('--out <dir>', 'with package: where the template and zips go', '.fledge/stack/package')
      .option('--dry-run', 'print the command that would run, run nothing')
      .addHelpText('after', HELP)
      .action((own: Omit<StackOptions, 'region' | 'profile'>) => {
        // --region and --profile are fledge's global options (cli/program.ts), one meaning for every command.
        const { region, profile } = globals();
        const options: StackOptions = { ...own, region: region ?? process.env['AWS_REGION'] ?? 'us-east-1', ...(profile !== undefined ? { profile } : {}) };
        const args = oslsArguments(action, options);
        const service = stackService(packageRoot());
        const where = relative(process.cwd(), service.dir) || '.';
        if (options.dryRun) {
          process.stdout.write(`${service.checkout ? 'in the checkout' : `in ${where} (assembled from the installed package)`}:\n  osls ${args.map(quote).join(' ')}\n`);
          return;
        }
        assemble(service);
        const log = (line: string): void => void process.stderr.write(`${line}\n`);
        if (!oslsEntry(service)) {
          if (service.checkout) throw new UsageError('osls is not installed in this checkout: run `npm ci` first');
          installToolchain(service, log);
        }
        const result = spawnSync(process.execPath, [oslsEntry(service)!, ...args], {
          cwd: service.dir,
          stdio: 'inherit',
          // No telemetry, no update notices: both would try the network.
          env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
        });
        if (action === 'package' && result.status === 0) log(`fledge stack: the template is ${resolve(options.out ?? '.fledge/stack/package', 'cloudformation-template-update-stack.json')}`);
        if (action === 'deploy' && result.status === 0) log(`fledge stack: deployed fledge-${options.stage}; to deploy without flags from here on: fledge configure --stack fledge-${options.stage} --region ${options.region}`);
        process.exitCode = result.status ?? ExitCode.failure;
      });
  }
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
