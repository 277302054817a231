import aslValidator from 'asl-validator';
import { invalidDefinition } from './errors';

/** One state of an ASL definition, as parsed from JSON (fields are checked where used). */
export type AslState = Record<string, unknown> & { readonly Type: string };

/** A parsed ASL definition (or a Parallel branch). */
export interface AslDefinition {
  readonly StartAt: string;
  readonly States: Readonly<Record<string, AslState>>;
  readonly TimeoutSeconds?: number;
  readonly Comment?: string;
}

/**
 * Definitions found valid already. StartExecution parses its machine's definition again for each
 * execution, and validating fledge's (~13 KB) takes asl-validator about 0.1 s of CPU — more than
 * the rest of starting an execution; parsing the JSON again (a fresh object per execution) is cheap.
 */
const VALID = new Set<string>();
const VALID_KEPT = 64;

/**
 * Parses and validates a state machine definition the way CreateStateMachine does: invalid JSON
 * or an invalid ASL document is AWS's `InvalidDefinition`, with every problem found.
 * Features the embedded engine does not run (JSONata, variables, Map, distributed mode) are
 * refused here too, so a definition fails at creation rather than half-way through a run.
 */
export function parseDefinition(text: unknown): AslDefinition {
  if (typeof text !== 'string' || text.length === 0) throw invalidDefinition('Invalid State Machine Definition: definition must be a non-empty JSON string');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw invalidDefinition(`Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: definition is not valid JSON (${(error as Error).message})'`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidDefinition("Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: definition must be a JSON object'");
  }
  if (VALID.has(text)) return parsed as AslDefinition;
  // asl-validator adds QueryLanguage to every state it sees: give it a copy.
  const { isValid, errors } = aslValidator(structuredClone(parsed), { checkArn: true, checkPaths: true });
  const problems = isValid ? [] : errors.map((error) => `${String((error as { 'Error code'?: unknown })['Error code'] ?? 'SCHEMA_VALIDATION_FAILED')}: ${describe(error)}`);
  problems.push(...unsupported(parsed as Record<string, unknown>, '$'));
  if (problems.length > 0) throw invalidDefinition(`Invalid State Machine Definition: '${problems.join("', '")}'`);
  if (VALID.size >= VALID_KEPT) VALID.clear();
  VALID.add(text);
  return parsed as AslDefinition;
}


function describe(error: unknown): string {
  const record = error as { Message?: unknown; message?: unknown; path?: unknown; instancePath?: unknown };
  const message = String(record.Message ?? record.message ?? JSON.stringify(error));
  const where = record.path ?? record.instancePath;
  return typeof where === 'string' && where ? `${message} at ${where}` : message;
}

/** What the embedded engine refuses to run, with where it was found. */
function unsupported(definition: Record<string, unknown>, where: string): string[] {
  const problems: string[] = [];
  if (definition.QueryLanguage === 'JSONata') problems.push(`UNSUPPORTED_FEATURE: JSONata at ${where}.QueryLanguage (the embedded Step Functions runs JSONPath only)`);
  const states = (definition.States ?? {}) as Record<string, Record<string, unknown>>;
  for (const [name, state] of Object.entries(states)) {
    const at = `${where}.States.${name}`;
    if (state.QueryLanguage === 'JSONata') problems.push(`UNSUPPORTED_FEATURE: JSONata at ${at}.QueryLanguage (the embedded Step Functions runs JSONPath only)`);
    if ('Assign' in state) problems.push(`UNSUPPORTED_FEATURE: Assign at ${at} (the embedded Step Functions has no variables)`);
    if (state.Type === 'Map') problems.push(`UNSUPPORTED_FEATURE: Map state at ${at} (the embedded Step Functions does not run Map states)`);
    if (state.Type === 'Parallel' && Array.isArray(state.Branches)) {
      state.Branches.forEach((branch, index) => problems.push(...unsupported(branch as Record<string, unknown>, `${at}.Branches[${index}]`)));
    }
  }
  return problems;
}
