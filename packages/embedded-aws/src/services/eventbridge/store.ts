import { join } from 'node:path';
import { readJsonState, writeJsonState } from '../../state-file';

/** A target of a rule: a Lambda function (other kinds are kept but not delivered to). */
export interface Target {
  readonly Id: string;
  readonly Arn: string;
  /** Constant JSON sent instead of the event. */
  readonly Input?: string;
}

/** A rule on the default event bus. */
export interface Rule {
  readonly name: string;
  readonly arn: string;
  readonly eventPattern: string;
  readonly state: 'ENABLED' | 'DISABLED';
  readonly description?: string;
  targets: Target[];
}

/** Rules by name, kept in `<dataDir>/events/rules.json` when a data directory is given. */
export class RuleStore {
  private readonly rules = new Map<string, Rule>();
  private readonly file: string | undefined;

  constructor(dataDir: string | undefined) {
    this.file = dataDir === undefined ? undefined : join(dataDir, 'events', 'rules.json');
  }

  load(): void {
    if (!this.file) return;
    for (const rule of readJsonState<Rule[]>(this.file, 'embedded EventBridge') ?? []) this.rules.set(rule.name, rule);
  }

  get(name: string): Rule | undefined {
    return this.rules.get(name);
  }

  /** Every rule, by name. */
  all(): Rule[] {
    return [...this.rules.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  put(rule: Rule): void {
    this.rules.set(rule.name, rule);
    this.save();
  }

  delete(name: string): void {
    this.rules.delete(name);
    this.save();
  }

  save(): void {
    if (this.file) writeJsonState(this.file, this.all());
  }
}
