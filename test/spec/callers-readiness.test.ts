import { describe, expect, it } from 'vitest';
import { parseDeploymentSpec } from '../../shared/domain/spec/parse';
import { VALID_SPEC } from './fixtures';

describe('the spec fields callers and readiness', () => {
  it('reads callers: strict and a readiness timeout, and leaves both out when not written', () => {
    // Act
    const written = parseDeploymentSpec(`${VALID_SPEC}\ncallers: strict\nreadiness:\n  timeout: 5m\n`, 'spec.yaml');
    const plain = parseDeploymentSpec(VALID_SPEC, 'spec.yaml');
    // Assess
    expect(written.ok && written.spec).toMatchObject({ callers: 'strict', readiness: { timeout: 300 } });
    expect(plain.ok && plain.spec.callers).toBeUndefined();
    expect(plain.ok && plain.spec.readiness).toBeUndefined();
  });

  it.each([
    ['callers: loud', 'callers', 'expected "warn" or "strict", got "loud"'],
    ['readiness:\n  timeout: 11m', 'readiness.timeout', 'must be between 10s and 10m, got 11m'],
    ['readiness:\n  timeout: 5s', 'readiness.timeout', 'must be between 10s and 10m, got 5s'],
  ])('refuses %j, naming the field and the limit', (extra, path, message) => {
    // Act
    const result = parseDeploymentSpec(`${VALID_SPEC}\n${extra}\n`, 'spec.yaml');
    // Assess
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems).toEqual([expect.objectContaining({ path, message })]);
  });
});
