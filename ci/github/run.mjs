// The GitHub Action's entry point (action.yml at the repository root runs it): starts a fledge
// deployment with the installed `fledge` CLI, follows it, and reports to the runner — step outputs
// in $GITHUB_OUTPUT, a job summary with the timeline in $GITHUB_STEP_SUMMARY. Plain Node.js, no
// dependencies: it runs from the action's checkout without a build. Inputs arrive as INPUT_<NAME>
// environment variables, as the runner passes a JavaScript action's inputs (action.yml maps them).
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';

/** Finished statuses that mean "it worked"; any other finished status fails the step. */
const SUCCESSFUL = new Set(['SUCCEEDED', 'NO_CHANGE']);
const FINISHED = new Set([...SUCCESSFUL, 'ROLLED_BACK', 'DRIFTED', 'FAILED', 'REJECTED']);

/** An input as the runner passes it: INPUT_<NAME upper-cased, spaces as _>, trimmed. */
export function input(env, name, fallback = '') {
  const value = env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`];
  return value === undefined || value.trim() === '' ? fallback : value.trim();
}

/** Reads and checks the inputs; throws with the input's name for a bad one. */
export function readInputs(env) {
  const spec = input(env, 'spec');
  if (spec === '') throw new Error('input "spec" is required: the path of the deployment spec');
  const wait = input(env, 'wait', 'true');
  if (!['true', 'false'].includes(wait)) throw new Error(`input "wait" must be true or false, got ${JSON.stringify(wait)}`);
  const timeout = input(env, 'timeout', '3600');
  if (!/^[1-9]\d{0,6}$/.test(timeout)) throw new Error(`input "timeout" must be a whole number of seconds (1–9999999), got ${JSON.stringify(timeout)}`);
  const via = input(env, 'via', 's3');
  if (!['s3', 'api'].includes(via)) throw new Error(`input "via" must be s3 or api, got ${JSON.stringify(via)}`);
  const local = input(env, 'local', 'false');
  if (!['true', 'false'].includes(local)) throw new Error(`input "local" must be true or false, got ${JSON.stringify(local)}`);
  const githubDeployment = input(env, 'github-deployment', 'true');
  if (!['true', 'false'].includes(githubDeployment)) throw new Error(`input "github-deployment" must be true or false, got ${JSON.stringify(githubDeployment)}`);
  return {
    spec, zip: input(env, 'zip'), wait: wait === 'true', timeoutSeconds: Number(timeout), region: input(env, 'region'), via, bucket: input(env, 'bucket'), apiUrl: input(env, 'api-url'), local: local === 'true',
    githubDeployment: githubDeployment === 'true', environment: input(env, 'environment'),
  };
}

/**
 * Where the deployment comes from on GitHub: repository, commit, ref and the run's URL. The
 * repository and the commit go into the spec's source.github (`fledge deploy --github-*`), so that
 * fledge reports the deployment to the repository's GitHub deployments; all of it is in the job summary.
 */
export function githubContext(env) {
  const server = env.GITHUB_SERVER_URL || 'https://github.com';
  return {
    repository: env.GITHUB_REPOSITORY || undefined,
    sha: env.GITHUB_SHA || undefined,
    ref: env.GITHUB_REF || undefined,
    runUrl: env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID ? `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}` : undefined,
  };
}

/**
 * The `fledge deploy` arguments of the inputs: never --wait (the entry follows it itself, with the
 * timeout). With `github-deployment` (the default) the run's repository and commit (GITHUB_SHA: the
 * exact code built, where GITHUB_REF would move) become source.github; the environment is the
 * `environment` input, else fledge's default, the alias.
 */
export function deployArguments(inputs, context = {}) {
  const source = inputs.githubDeployment && context.repository && context.sha
    ? ['--github-repository', context.repository, '--github-ref', context.sha, ...(inputs.environment ? ['--github-environment', inputs.environment] : [])]
    : [];
  return [
    'deploy', inputs.spec,
    ...(inputs.zip ? ['--zip', inputs.zip] : []),
    '--via', inputs.via,
    ...(inputs.bucket ? ['--bucket', inputs.bucket] : []),
    ...(inputs.apiUrl ? ['--endpoint', inputs.apiUrl] : []),
    ...(inputs.local ? ['--local'] : []),
    ...source,
    '--output', 'json',
  ];
}

/** Runs the CLI: `$FLEDGE_CLI` (a .mjs/.js file run by this Node.js, or a command), else `fledge` on the PATH. */
function fledge(env, args, timeoutMs) {
  const cli = env.FLEDGE_CLI || 'fledge';
  const [file, argv] = /\.m?js$/.test(cli) ? [process.execPath, [cli, ...args]] : [cli, args];
  return new Promise((resolve) => {
    const child = spawn(file, argv, { env: { ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      stderr += chunk;
      process.stderr.write(chunk);
    });
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => { timedOut = true; child.kill('SIGTERM'); }, timeoutMs);
    child.on('error', (error) => resolve({ code: null, stdout, stderr: `${stderr}${error.message}`, timedOut }));
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}

/** The JSON document the CLI printed (`--output json`), or undefined when it printed none. */
function lastJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Markdown-safe table cell: no pipes, no line breaks, no HTML. */
const cell = (text) => String(text ?? '').replace(/[|\\]/g, (c) => `\\${c}`).replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;')).replace(/\s*\n\s*/g, ' ');

/** The job summary: what was deployed, how it ended, and the timeline of its events. */
export function summary(detail, context, note) {
  const icon = SUCCESSFUL.has(detail.status) ? '✅' : FINISHED.has(detail.status) ? '❌' : '⏳';
  const lines = [
    `### ${icon} fledge: ${cell(detail.functionName)}:${cell(detail.alias)} ${cell(detail.status)}`,
    '',
    '| | |',
    '| --- | --- |',
    `| deployment | \`${cell(detail.deploymentId)}\` |`,
    `| versions | ${cell(detail.previousVersion ?? '–')} → ${cell(detail.newVersion ?? '?')} |`,
    ...(context.repository ? [`| source | ${cell(context.repository)}${context.ref ? ` ${cell(context.ref)}` : ''}${context.sha ? ` @ \`${cell(context.sha.slice(0, 12))}\`` : ''} |`] : []),
    ...(detail.reason ? [`| reason | ${cell(detail.reason)} |`] : []),
    '',
  ];
  if (note) lines.push(`> ${cell(note)}`, '');
  const events = Array.isArray(detail.events) ? detail.events : [];
  if (events.length > 0) {
    lines.push('| at | event | what happened |', '| --- | --- | --- |');
    for (const event of events) lines.push(`| ${cell(event.at)} | ${cell(event.kind)} | ${cell(event.message)} |`);
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

/** Appends `name=value` outputs to $GITHUB_OUTPUT (values are single-line). */
function setOutputs(env, outputs) {
  if (!env.GITHUB_OUTPUT) return;
  appendFileSync(env.GITHUB_OUTPUT, Object.entries(outputs).map(([name, value]) => `${name}=${String(value ?? '').replace(/[\r\n]/g, ' ')}\n`).join(''));
}

/** Runs the action; returns the process exit code (0: started, or with wait: succeeded). */
export async function main(env = process.env) {
  let inputs;
  try {
    inputs = readInputs(env);
  } catch (error) {
    process.stderr.write(`::error::fledge: ${error.message}\n`);
    return 2;
  }
  const runEnv = { ...env, ...(inputs.region ? { AWS_REGION: inputs.region } : {}) };
  const context = githubContext(env);
  const deadline = Date.now() + inputs.timeoutSeconds * 1000;

  const started = await fledge(runEnv, deployArguments(inputs, context), inputs.timeoutSeconds * 1000);
  let detail = lastJson(started.stdout);
  if (!detail?.deploymentId) {
    process.stderr.write(`::error::fledge deploy started nothing${started.timedOut ? ` within ${inputs.timeoutSeconds}s` : ` (exit code ${started.code})`}: ${started.stderr.trim().split('\n').pop() ?? ''}\n`);
    return 1;
  }
  let note;
  if (inputs.wait && !FINISHED.has(detail.status)) {
    const followed = await fledge(runEnv, ['status', detail.deploymentId, '--watch', '--output', 'json', ...(inputs.local ? ['--local'] : [])], Math.max(1000, deadline - Date.now()));
    detail = lastJson(followed.stdout) ?? detail;
    if (followed.timedOut) {
      const now = await fledge(runEnv, ['status', detail.deploymentId, '--output', 'json', ...(inputs.local ? ['--local'] : [])], 30_000);
      detail = lastJson(now.stdout) ?? detail;
      note = `the deployment was still ${detail.status} after the timeout of ${inputs.timeoutSeconds}s: it goes on without this job (fledge status ${detail.deploymentId}).`;
    }
  }
  setOutputs(env, { 'deployment-id': detail.deploymentId, status: detail.status, 'new-version': detail.newVersion ?? '', 'previous-version': detail.previousVersion ?? '' });
  if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, summary(detail, context, note));
  const failed = FINISHED.has(detail.status) ? !SUCCESSFUL.has(detail.status) : inputs.wait;
  if (failed) process.stderr.write(`::error::fledge: ${detail.functionName}:${detail.alias} ${detail.status}${detail.reason ? `: ${detail.reason}` : note ? `: ${note}` : ''}\n`);
  return failed ? 1 : 0;
}

// Run when executed (not when a test imports the helpers).
if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main();
