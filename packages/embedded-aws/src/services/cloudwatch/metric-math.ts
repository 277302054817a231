/**
 * The metric-math subset fledge's alarms use: numbers, metric ids, `+ - * / ^`, parentheses,
 * comparisons (`> >= < <= == !=`), `AND`/`&&`, `OR`/`||`, `IF`, `FILL` (a number, `REPEAT`),
 * `ABS`, and `SUM`/`AVG`/`MIN`/`MAX` over one series (a number) or an array `[m1, m2]` (a series).
 * Series combine on the timestamps they share, and results that are not finite numbers (a
 * division by zero) are dropped, as CloudWatch does.
 */

/** A time series: simulated epoch ms of each period start → value. */
export type Series = ReadonlyMap<number, number>;
export type MathValue = { readonly kind: 'scalar'; readonly value: number } | { readonly kind: 'series'; readonly points: Series } | { readonly kind: 'array'; readonly items: readonly Series[] };

/** An expression that cannot be parsed or evaluated; the message says what and where. */
export class MetricMathError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MetricMathError';
  }
}

type Node =
  | { type: 'number'; value: number }
  | { type: 'id'; name: string; at: number }
  | { type: 'keyword'; name: 'REPEAT' | 'LINEAR'; at: number }
  | { type: 'unary'; op: '-' | 'NOT'; operand: Node }
  | { type: 'binary'; op: string; left: Node; right: Node; at: number }
  | { type: 'call'; name: string; args: Node[]; at: number }
  | { type: 'array'; items: Node[]; at: number };

interface Token { readonly kind: 'number' | 'word' | 'op' | 'end'; readonly text: string; readonly at: number }

const OPERATORS = ['>=', '<=', '==', '!=', '&&', '||', '>', '<', '+', '-', '*', '/', '^', '(', ')', ',', '[', ']'];

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const rest = source.slice(i);
    const space = /^\s+/.exec(rest);
    if (space) { i += space[0].length; continue; }
    const number = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/.exec(rest);
    if (number) { tokens.push({ kind: 'number', text: number[0], at: i }); i += number[0].length; continue; }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (word) { tokens.push({ kind: 'word', text: word[0], at: i }); i += word[0].length; continue; }
    const op = OPERATORS.find((o) => rest.startsWith(o));
    if (!op) throw new MetricMathError(`unexpected character '${rest[0] ?? ''}' at position ${i}`);
    tokens.push({ kind: 'op', text: op, at: i });
    i += op.length;
  }
  tokens.push({ kind: 'end', text: '', at: source.length });
  return tokens;
}

const FUNCTIONS = new Set(['IF', 'FILL', 'ABS', 'SUM', 'AVG', 'MIN', 'MAX']);

/** Recursive-descent parser; precedence from loosest: OR, AND, comparison, + -, * /, ^, unary. */
class Parser {
  private index = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): Node {
    const node = this.or();
    const next = this.peek();
    if (next.kind !== 'end') throw new MetricMathError(`unexpected '${next.text}' at position ${next.at}`);
    return node;
  }

  private peek(): Token { return this.tokens[this.index] as Token; }
  private take(): Token { return this.tokens[this.index++] as Token; }
  private accept(...texts: string[]): Token | undefined {
    const token = this.peek();
    const text = token.kind === 'word' ? token.text.toUpperCase() : token.text;
    if ((token.kind === 'op' || token.kind === 'word') && texts.includes(text)) return this.take();
    return undefined;
  }
  private expect(text: string): void {
    const token = this.take();
    if (token.text !== text) throw new MetricMathError(`expected '${text}' at position ${token.at}, found ${token.kind === 'end' ? 'the end of the expression' : `'${token.text}'`}`);
  }

  private binaryLevel(next: () => Node, ops: string[]): Node {
    let left = next();
    for (;;) {
      const token = this.accept(...ops);
      if (!token) return left;
      const op = token.text.toUpperCase() === 'AND' ? '&&' : token.text.toUpperCase() === 'OR' ? '||' : token.text;
      left = { type: 'binary', op, left, right: next(), at: token.at };
    }
  }
  private or = (): Node => this.binaryLevel(this.and, ['||', 'OR']);
  private and = (): Node => this.binaryLevel(this.comparison, ['&&', 'AND']);
  private comparison = (): Node => this.binaryLevel(this.additive, ['>=', '<=', '==', '!=', '>', '<']);
  private additive = (): Node => this.binaryLevel(this.multiplicative, ['+', '-']);
  private multiplicative = (): Node => this.binaryLevel(this.power, ['*', '/']);
  private power = (): Node => {
    const base = this.unary();
    const token = this.accept('^');
    return token ? { type: 'binary', op: '^', left: base, right: this.power(), at: token.at } : base;
  };
  private unary = (): Node => {
    if (this.accept('-')) return { type: 'unary', op: '-', operand: this.unary() };
    if (this.accept('+')) return this.unary();
    if (this.accept('NOT')) return { type: 'unary', op: 'NOT', operand: this.unary() };
    return this.primary();
  };
  private primary(): Node {
    const token = this.take();
    if (token.kind === 'number') return { type: 'number', value: Number(token.text) };
    if (token.kind === 'op' && token.text === '(') {
      const inner = this.or();
      this.expect(')');
      return inner;
    }
    if (token.kind === 'op' && token.text === '[') {
      const items = this.list(']');
      return { type: 'array', items, at: token.at };
    }
    if (token.kind === 'word') {
      const upper = token.text.toUpperCase();
      if (this.peek().text === '(') {
        if (!FUNCTIONS.has(upper)) throw new MetricMathError(`unsupported function ${token.text} at position ${token.at} (the embedded CloudWatch supports ${[...FUNCTIONS].join(', ')})`);
        this.take();
        return { type: 'call', name: upper, args: this.list(')'), at: token.at };
      }
      if (upper === 'REPEAT' || upper === 'LINEAR') return { type: 'keyword', name: upper, at: token.at };
      return { type: 'id', name: token.text, at: token.at };
    }
    throw new MetricMathError(token.kind === 'end' ? 'the expression ends too early' : `unexpected '${token.text}' at position ${token.at}`);
  }
  private list(close: string): Node[] {
    const items: Node[] = [];
    if (this.accept(close)) return items;
    for (;;) {
      items.push(this.or());
      if (this.accept(close)) return items;
      this.expect(',');
    }
  }
}

/** Parses an expression; throws {@link MetricMathError} on a syntax error. */
export function parseExpression(source: string): Node {
  return new Parser(tokenize(source)).parse();
}

/** The metric ids an expression refers to, for dependency checks before evaluation. */
export function referencedIds(node: Node): string[] {
  switch (node.type) {
    case 'id': return [node.name];
    case 'unary': return referencedIds(node.operand);
    case 'binary': return [...referencedIds(node.left), ...referencedIds(node.right)];
    case 'call': return node.args.flatMap(referencedIds);
    case 'array': return node.items.flatMap(referencedIds);
    default: return [];
  }
}

export interface MathContext {
  /** The value of another query by id; undefined when no query has that id. */
  resolve(id: string): MathValue | undefined;
  /** Every period start of the queried range, ascending: what FILL fills. */
  readonly grid: readonly number[];
}

/** Evaluates a parsed expression to a scalar, a series or an array of series. */
export function evaluate(node: Node, context: MathContext): MathValue {
  switch (node.type) {
    case 'number': return scalar(node.value);
    case 'id': {
      const value = context.resolve(node.name);
      if (!value) throw new MetricMathError(`unknown metric id '${node.name}' at position ${node.at}`);
      return value;
    }
    case 'keyword': throw new MetricMathError(`${node.name} at position ${node.at} is only valid as the second argument of FILL`);
    case 'unary': {
      const operand = evaluate(node.operand, context);
      return node.op === '-' ? map1(operand, (x) => -x) : map1(operand, (x) => (x === 0 ? 1 : 0));
    }
    case 'binary': return combine(evaluate(node.left, context), evaluate(node.right, context), BINARY[node.op] as (a: number, b: number) => number, node.at);
    case 'array': return { kind: 'array', items: node.items.map((item) => asSeries(evaluate(item, context), 'an array item', item)) };
    case 'call': return call(node, context);
  }
}

const BINARY: Record<string, (a: number, b: number) => number> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => a / b,
  '^': (a, b) => a ** b,
  '>': (a, b) => Number(a > b),
  '>=': (a, b) => Number(a >= b),
  '<': (a, b) => Number(a < b),
  '<=': (a, b) => Number(a <= b),
  '==': (a, b) => Number(a === b),
  '!=': (a, b) => Number(a !== b),
  '&&': (a, b) => Number(a !== 0 && b !== 0),
  '||': (a, b) => Number(a !== 0 || b !== 0),
};

const scalar = (value: number): MathValue => ({ kind: 'scalar', value });
const series = (points: Map<number, number>): MathValue => ({ kind: 'series', points });

function finite(points: Iterable<[number, number]>): Map<number, number> {
  const result = new Map<number, number>();
  for (const [t, v] of points) if (Number.isFinite(v)) result.set(t, v);
  return result;
}

function map1(value: MathValue, f: (x: number) => number): MathValue {
  if (value.kind === 'scalar') return scalar(f(value.value));
  if (value.kind === 'series') return series(finite([...value.points].map(([t, v]) => [t, f(v)])));
  return { kind: 'array', items: value.items.map((s) => finite([...s].map(([t, v]) => [t, f(v)]))) };
}

function combine(left: MathValue, right: MathValue, f: (a: number, b: number) => number, at: number): MathValue {
  if (left.kind === 'array' || right.kind === 'array') throw new MetricMathError(`an operator at position ${at} cannot take an array of series; aggregate it first (SUM, AVG, MIN, MAX)`);
  if (left.kind === 'scalar' && right.kind === 'scalar') return scalar(f(left.value, right.value));
  if (left.kind === 'scalar' && right.kind === 'series') return series(finite([...right.points].map(([t, v]) => [t, f(left.value, v)])));
  if (left.kind === 'series' && right.kind === 'scalar') return series(finite([...left.points].map(([t, v]) => [t, f(v, right.value)])));
  const l = left as { points: Series };
  const r = right as { points: Series };
  const out: [number, number][] = [];
  for (const [t, v] of l.points) {
    const w = r.points.get(t);
    if (w !== undefined) out.push([t, f(v, w)]);
  }
  return series(finite(out));
}

function asSeries(value: MathValue, what: string, node: Node): Series {
  if (value.kind !== 'series') throw new MetricMathError(`${what} must be a time series, got ${value.kind === 'scalar' ? 'a number' : 'an array'}${'at' in node ? ` at position ${node.at}` : ''}`);
  return value.points;
}

function arity(node: Extract<Node, { type: 'call' }>, min: number, max: number): void {
  if (node.args.length < min || node.args.length > max) {
    throw new MetricMathError(`${node.name} at position ${node.at} takes ${min === max ? min : `${min} to ${max}`} arguments, got ${node.args.length}`);
  }
}

function call(node: Extract<Node, { type: 'call' }>, context: MathContext): MathValue {
  switch (node.name) {
    case 'IF': {
      arity(node, 2, 3);
      const [condition, whenTrue, whenFalse] = node.args.map((arg) => evaluate(arg, context)) as [MathValue, MathValue, MathValue | undefined];
      if (condition.kind === 'array' || whenTrue.kind === 'array' || whenFalse?.kind === 'array') throw new MetricMathError(`IF at position ${node.at} cannot take an array of series`);
      if (condition.kind === 'scalar') return condition.value !== 0 ? whenTrue : whenFalse ?? series(new Map());
      const pick = (value: MathValue | undefined, t: number): number | undefined => (value === undefined ? undefined : value.kind === 'scalar' ? value.value : (value as { points: Series }).points.get(t));
      const out: [number, number][] = [];
      for (const [t, c] of condition.points) {
        const v = pick(c !== 0 ? whenTrue : whenFalse, t);
        if (v !== undefined) out.push([t, v]);
      }
      return series(finite(out));
    }
    case 'FILL': {
      arity(node, 2, 2);
      const target = asSeries(evaluate(node.args[0] as Node, context), 'the first argument of FILL', node);
      const fillNode = node.args[1] as Node;
      const out = new Map<number, number>();
      if (fillNode.type === 'keyword') {
        if (fillNode.name === 'LINEAR') throw new MetricMathError(`FILL(…, LINEAR) at position ${fillNode.at} is not supported by the embedded CloudWatch; use a number or REPEAT`);
        let last: number | undefined;
        for (const t of context.grid) {
          last = target.get(t) ?? last;
          if (last !== undefined) out.set(t, last);
        }
        return series(out);
      }
      const fill = evaluate(fillNode, context);
      if (fill.kind !== 'scalar') throw new MetricMathError(`the second argument of FILL at position ${node.at} must be a number, REPEAT or LINEAR`);
      for (const t of context.grid) out.set(t, target.get(t) ?? fill.value);
      return series(out);
    }
    case 'ABS': {
      arity(node, 1, 1);
      return map1(evaluate(node.args[0] as Node, context), Math.abs);
    }
    default: {
      arity(node, 1, 1);
      const reduce = REDUCERS[node.name] as (values: number[]) => number;
      const input = evaluate(node.args[0] as Node, context);
      if (input.kind === 'scalar') return input;
      if (input.kind === 'series') return [...input.points.values()].length === 0 ? series(new Map()) : scalar(reduce([...input.points.values()]));
      const timestamps = [...new Set(input.items.flatMap((s) => [...s.keys()]))].sort((a, b) => a - b);
      return series(finite(timestamps.map((t) => [t, reduce(input.items.flatMap((s) => (s.has(t) ? [s.get(t) as number] : [])))])));
    }
  }
}

const REDUCERS: Record<string, (values: number[]) => number> = {
  SUM: (values) => values.reduce((a, b) => a + b, 0),
  AVG: (values) => values.reduce((a, b) => a + b, 0) / values.length,
  MIN: (values) => Math.min(...values),
  MAX: (values) => Math.max(...values),
};
