import { describe, expect, it } from 'vitest';
import { parseDeploymentSpec } from '../../shared/domain/spec/parse';
import { withGithubSource } from '../../shared/domain/spec/set-source';
import type { DeploymentSpec } from '../../shared/model/spec';

// `fledge deploy --github-*` writes source.github into the user's spec: the document is edited, not
// re-serialised from data, so the spec sent is the one written plus its source.

const SPEC = `# yaml-language-server: $schema=../schema/fledge-spec.schema.json
# The orders release: reviewed by the payments team.
version: 1
function: orders   # the API behind checkout
alias: live
artifact:
  zip: build/orders.zip
strategy:
  canary:
    steps:
      - setWeight: 10     # one in ten first
      - pause: 5m
      - approval: { message: "a long message that goes well past eighty columns, which must stay on its own line" }
health:
  minInvocations: 0
timeout: 2h
# end of the release
`;

function specOf(text: string): DeploymentSpec {
  const parsed = parseDeploymentSpec(text, 'release.yaml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.spec;
}

describe('withGithubSource', () => {
  it('adds source.github to a YAML spec and keeps every comment and value as written', () => {
    // Act
    const edited = withGithubSource(SPEC, { repository: 'acme/orders', ref: '0123456789', environment: 'production' });

    // Assess
    for (const comment of ['# yaml-language-server: $schema=../schema/fledge-spec.schema.json', '# The orders release: reviewed by the payments team.', '# the API behind checkout', '# one in ten first', '# end of the release']) {
      expect(edited).toContain(comment);
    }
    expect(edited).toContain('{ message: "a long message that goes well past eighty columns, which must stay on its own line" }');
    // A ref of digits only stays text.
    expect(specOf(edited)).toEqual({ ...specOf(SPEC), source: { github: { repository: 'acme/orders', ref: '0123456789', environment: 'production' } } });
  });

  it('fills a source mapping that has no github yet', () => {
    // Prepare
    const empty = `${SPEC}source: {}\n`;

    // Act
    const edited = withGithubSource(empty, { repository: 'acme/orders', ref: 'main' });

    // Assess
    expect(specOf(edited).source).toEqual({ github: { repository: 'acme/orders', ref: 'main' } });
    expect(edited.match(/^source:/gm)).toHaveLength(1);
  });

  it('keeps a JSON spec JSON', () => {
    // Prepare
    const json = JSON.stringify({ version: 1, function: 'orders', alias: 'live', artifact: { zip: 'build/orders.zip' }, strategy: { preset: 'AllAtOnce' } });

    // Act
    const edited = withGithubSource(json, { repository: 'acme/orders', ref: 'v1.2.3' });

    // Assess
    expect(JSON.parse(edited)).toEqual({ ...JSON.parse(json), source: { github: { repository: 'acme/orders', ref: 'v1.2.3' } } });
  });

  it('edits a spec written as one YAML flow mapping as YAML', () => {
    // Prepare
    const flow = '{ version: 1, function: orders, alias: live, artifact: { zip: build/orders.zip }, strategy: { preset: AllAtOnce } } # one line\n';

    // Act
    const edited = withGithubSource(flow, { repository: 'acme/orders', ref: 'main' });

    // Assess
    expect(edited).toContain('# one line');
    expect(specOf(edited)).toEqual({ ...specOf(flow), source: { github: { repository: 'acme/orders', ref: 'main' } } });
  });

  it('writes a hostile value as data: the spec reader refuses it at source.github, nothing else changes', () => {
    // Act
    const edited = withGithubSource(SPEC, { repository: 'acme/orders', ref: 'main\nalias: other' });
    const parsed = parseDeploymentSpec(edited, 'release.yaml');

    // Assess
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.problems.map((problem) => problem.path)).toEqual(['source.github.ref']);
  });
});
