import { describe, expect, it } from 'vitest';
import { parseDeploymentSpec } from '../../shared/domain/spec/parse';
import { VALID_SPEC } from './fixtures';

const withField = (value: string): string => `${VALID_SPEC}provisionedConcurrency: ${value}\n`;

describe('spec field provisionedConcurrency', () => {
  it('reads auto, off and a whole number, and leaves it out when the spec does', () => {
    // Act
    const read = ['auto', 'off', '40'].map((value) => parseDeploymentSpec(withField(value), 'spec.yaml'));
    const absent = parseDeploymentSpec(VALID_SPEC, 'spec.yaml');
    // Assess
    expect(read.map((result) => (result.ok ? result.spec.provisionedConcurrency : result.problems))).toEqual(['auto', 'off', 40]);
    expect(absent.ok && 'provisionedConcurrency' in absent.spec).toBe(false);
  });

  it('refuses anything else, naming the field, the line and what it accepts', () => {
    // Act
    const refused = ['lots', '0', '2.5', '100001', '"40"', '[1]'].map((value) => parseDeploymentSpec(withField(value), 'spec.yaml'));
    // Assess
    for (const result of refused) {
      expect(result.ok).toBe(false);
      if (result.ok) continue;
      expect(result.problems).toHaveLength(1);
      expect(result.problems[0]).toMatchObject({ path: 'provisionedConcurrency', message: expect.stringMatching(/^expected "auto", "off" or a whole number of execution environments from 1 to 100000, got /) });
      expect(result.problems[0]!.line).toBeGreaterThan(1);
    }
  });
});
