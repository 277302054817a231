/**
 * The errors a deployment execution ends with: the `Error` of each Fail state in
 * `state-machines/deployment.asl.yml`. No task throws them; the state machine sets them, and the
 * sweeper reads them back (`DescribeExecution`) to learn how an execution that did not record its
 * outcome ended. test/engine/error-contract.test.ts checks the file's Fail states use exactly these.
 */
export const EXECUTION_ENDINGS = {
  /** Someone else changed the alias; fledge left it alone (the record says DRIFTED). */
  drifted: 'fledge.AliasDrifted',
  /** Refused before anything changed. */
  rejected: 'fledge.Rejected',
  /** Rolled back: a failed delivery, shown as one. */
  rolledBack: 'fledge.RolledBack',
  /** The rollback could not complete; the RollbackFailed task told people. */
  rollbackFailed: 'fledge.RollbackFailed',
  /** The rollback could not complete and nobody could be told: the sweeper tells them. */
  unreported: 'fledge.Unreported',
} as const;
