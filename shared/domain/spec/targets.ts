import * as z from 'zod';
import { LIMITS } from '../../model/spec-limits';
import type { TargetSpec } from '../../model/spec';
import { named } from './fields';
import { checkRoleArn } from './names';
import { quote } from './problems';
import { targetGraphProblems } from './waves';

/*
 * `targets` and `rollbackPromotedWaves` (docs/spec.md#targets-and-rollbackpromotedwaves): where a spec deploys, in
 * waves. Each target is checked on its own here; the list as a whole (ids and places unique, the
 * `dependsOn` graph) in the list's refinement, with the path of the offending field.
 */

const TARGET_ID = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;
const REGION = /^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d$/;

const target = z.strictObject({
  id: z.string().regex(TARGET_ID, 'must be 1-32 lowercase letters, digits or "-", starting and ending with a letter or digit'),
  account: z
    .string({ error: (issue) => (typeof issue.input === 'number' ? `write the account id as a string, in quotes ("${String(issue.input)}"), or YAML drops its leading zeros` : 'expected a 12-digit AWS account id') })
    .regex(/^\d{12}$/, 'must be a 12-digit AWS account id'),
  region: z.string().regex(REGION, 'must be an AWS region such as eu-west-1'),
  roleArn: named(checkRoleArn),
  externalId: z.string().regex(/^[\w+=,.@:/-]{2,1224}$/, 'must be 2-1224 letters, digits or any of _+=,.@:/-, as STS requires').optional(),
  dependsOn: z.array(z.string()).optional(),
});

/** The written `targets` list. */
export const targetsSchema = z
  .array(target)
  .min(1, 'list at least one target, or leave "targets" out to deploy where fledge runs')
  .max(LIMITS.maxTargets, `at most ${LIMITS.maxTargets} targets`)
  .superRefine((targets, ctx) => {
    const ids = new Map<string, number>();
    const places = new Map<string, number>();
    targets.forEach((written, index) => {
      const firstId = ids.get(written.id);
      if (firstId !== undefined) ctx.addIssue({ code: 'custom', path: [index, 'id'], message: `duplicate target id ${quote(written.id)} (already at [${firstId}])` });
      else ids.set(written.id, index);
      const place = `${written.account}/${written.region}`;
      const firstPlace = places.get(place);
      if (firstPlace !== undefined) {
        ctx.addIssue({ code: 'custom', path: [index], message: `account ${written.account} in ${written.region} is already a target (at [${firstPlace}]): a place is deployed to once` });
      } else places.set(place, index);
      const roleAccount = /^arn:aws[a-zA-Z-]*:iam::(\d{12}):role\//.exec(written.roleArn)?.[1];
      if (roleAccount !== undefined && roleAccount !== written.account) {
        ctx.addIssue({ code: 'custom', path: [index, 'roleArn'], message: `the role is in account ${roleAccount}, but the target is account ${written.account}: fledge assumes a role of the target's own account` });
      }
    });
    if (ids.size !== targets.length) return;
    for (const problem of targetGraphProblems(targets.map((written) => ({ id: written.id, dependsOn: written.dependsOn ?? [] })))) {
      ctx.addIssue({ code: 'custom', path: problem.position === undefined ? [problem.index, 'dependsOn'] : [problem.index, 'dependsOn', problem.position], message: problem.message });
    }
  });

/** The written `rollbackPromotedWaves`. */
export const rollbackPromotedWavesSchema = z.boolean({ error: 'expected true (already promoted targets roll back when a later wave fails, the default) or false' });

/** The normalised targets of a written list. */
export function normaliseTargets(written: z.infer<typeof targetsSchema>): TargetSpec[] {
  return written.map((one) => ({
    id: one.id,
    accountId: one.account,
    region: one.region,
    roleArn: one.roleArn,
    ...(one.externalId !== undefined && { externalId: one.externalId }),
    dependsOn: one.dependsOn ?? [],
  }));
}
