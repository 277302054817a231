import { describe, expect, it } from 'vitest';
import { FledgeError } from '../../shared/model/errors';
import * as engineErrors from '../../shared/model/engine-errors';
import * as starterErrors from '../../shared/model/starter-errors';
import { EXECUTION_ENDINGS } from '../../shared/domain/deployment/execution-endings';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UnexpectedTaskError } from '../../functions/lib/task-handler';
import { loadDeploymentDefinition } from '../../state-machines/definition';

type Kind = typeof FledgeError;
interface Rule { ErrorEquals: string[] }
interface State { Type: string; Error?: string; Retry?: Rule[]; Catch?: Rule[]; Branches?: Machine[]; ItemProcessor?: Machine; Iterator?: Machine }
interface Machine { States: Record<string, State> }

/** Every error class a module exports. */
function kinds(module: Record<string, unknown>): [string, Kind][] {
  return Object.entries(module).filter((entry): entry is [string, Kind] => typeof entry[1] === 'function' && entry[1].prototype instanceof FledgeError);
}

/** Every state of the real file, nested ones (Parallel, Map) included. */
function statesOf(machine: Machine, at = ''): [string, State][] {
  return Object.entries(machine.States).flatMap(([name, state]) => [
    [`${at}${name}`, state] as [string, State],
    ...[...(state.Branches ?? []), ...(state.ItemProcessor ? [state.ItemProcessor] : []), ...(state.Iterator ? [state.Iterator] : [])].flatMap((inner) => statesOf(inner, `${at}${name}/`)),
  ]);
}

const engine = kinds(engineErrors);
// What a task can throw: the engine's errors, and the wrapper's for anything that is not fledge's own.
const thrownByTasks = new Set([...engine.map(([, kind]) => FledgeError.nameOf(kind)), new UnexpectedTaskError('m').name]);
const states = statesOf(loadDeploymentDefinition() as unknown as Machine);

describe('the error contract between the engine and its state machine', () => {
  it('names every engine and starter error fledge.<code>, from the code its class declares once', () => {
    // Prepare
    const all = [...engine, ...kinds(starterErrors)];

    for (const [exported, kind] of all) {
      // Act: every constructor takes a message first; the others' extra arguments are strings too.
      const error = Reflect.construct(kind, ['m', 'x', 'no']) as FledgeError;

      // Assess
      expect(error.code, exported).toBe(kind.code);
      expect(error.name, exported).toBe(`fledge.${kind.code}`);
      expect(error, exported).toBeInstanceOf(Error);
    }
    expect(all.length).toBeGreaterThan(20);
    expect(new Set(all.map(([, kind]) => kind.code)).size, 'one class per code').toBe(all.length);
  });

  it('matches, in every Retry and Catch, only fledge.* errors a task can throw', () => {
    // Act
    const matched = states.flatMap(([name, state]) => [...(state.Retry ?? []), ...(state.Catch ?? [])].flatMap((rule) => rule.ErrorEquals.map((error) => ({ name, error }))));
    const unknown = matched.filter(({ error }) => error.startsWith('fledge.') && !thrownByTasks.has(error));

    // Assess
    expect(matched.some(({ error }) => error.startsWith('fledge.'))).toBe(true);
    expect(unknown).toEqual([]);
    // A name outside fledge's, Lambda's and Step Functions' own would never match anything.
    expect(matched.filter(({ error }) => !/^(fledge|Lambda|States)\./.test(error))).toEqual([]);
  });

  it('ends executions only with the endings the sweeper reads, and uses every one of them', () => {
    // Act
    const failErrors = states.filter(([, state]) => state.Type === 'Fail').map(([name, state]) => ({ name, error: state.Error }));

    // Assess
    const endings: readonly string[] = Object.values(EXECUTION_ENDINGS);
    expect(failErrors.filter(({ error }) => error === undefined || !endings.includes(error))).toEqual([]);
    expect([...new Set(failErrors.map(({ error }) => error))].sort()).toEqual([...endings].sort());
  });

  it('catches every error a task throws: each Task state ends its Catch with States.ALL', () => {
    // Act
    const tasks = states.filter(([, state]) => state.Type === 'Task');
    const uncaught = tasks.filter(([, state]) => state.Catch?.at(-1)?.ErrorEquals.join() !== 'States.ALL').map(([name]) => name);

    // Assess
    expect(tasks.length).toBeGreaterThan(5);
    expect(uncaught).toEqual([]);
  });

  it('documents in docs/engine.md only errors a task throws, and every one the state machine matches by name', () => {
    // Prepare
    const text = readFileSync(new URL('../../docs/engine.md', import.meta.url), 'utf8');
    const section = text.slice(text.indexOf('## Errors, retries, catches'));
    const rows = section.split('\n').filter((line) => line.startsWith('| `fledge.'));

    // Act
    const documented = new Set(rows.flatMap((row) => [...row.split('|')[1]!.matchAll(/`(fledge\.\w+)`/g)].map((match) => match[1]!)));
    const matchedByName = new Set(states.flatMap(([, state]) => [...(state.Retry ?? []), ...(state.Catch ?? [])].flatMap((rule) => rule.ErrorEquals)).filter((error) => error.startsWith('fledge.')));

    // Assess
    expect(documented.size).toBeGreaterThan(10);
    expect([...documented].filter((name) => !thrownByTasks.has(name))).toEqual([]);
    expect([...matchedByName].filter((name) => !documented.has(name))).toEqual([]);
  });

  it('spells only fledge.* errors that exist, wherever the state machine or the source names one', () => {
    // Prepare: a name is a task's or starter's error class, or an ending the state machine sets.
    const known = new Set([...thrownByTasks, ...kinds(starterErrors).map(([, kind]) => FledgeError.nameOf(kind)), ...Object.values(EXECUTION_ENDINGS)]);
    const sources = (dir: string): string[] => readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? sources(join(dir, name)) : name.endsWith('.ts') ? [join(dir, name)] : []));
    const root = new URL('../../', import.meta.url).pathname;
    const files = ['state-machines/deployment.asl.yml', ...['shared', 'functions', 'local', 'cli'].flatMap((dir) => sources(join(root, dir)).map((file) => file.slice(root.length)))];

    // Act
    const named = files.flatMap((file) => [...readFileSync(join(root, file), 'utf8').matchAll(/\bfledge\.([A-Z]\w*)/g)].map((match) => ({ file, name: `fledge.${match[1]!}` })));

    // Assess
    expect(named.filter(({ file }) => file.endsWith('.asl.yml')).length).toBeGreaterThan(5);
    expect(named.filter(({ name }) => !known.has(name))).toEqual([]);
  });
});
