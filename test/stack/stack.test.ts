import { ciPolicyChecks } from './checks/ci-policies';
import { httpApiChecks } from './checks/http-api';
import { notificationChecks } from './checks/notifications';
import { packageChecks } from './checks/package';
import { permissionChecks } from './checks/permissions';
import { selfProtectionChecks } from './checks/self-protection';
import { stateMachineChecks } from './checks/state-machine';
import { storageChecks } from './checks/storage';
import { stackContext } from './support/context';

// The deployable stack (issue 6): ONE real, offline `serverless package` for this whole file,
// then every check reads the generated CloudFormation template and zips.
const ctx = stackContext();

packageChecks(ctx);
permissionChecks(ctx);
stateMachineChecks(ctx);
httpApiChecks(ctx);
storageChecks(ctx);
notificationChecks(ctx);
selfProtectionChecks(ctx);
ciPolicyChecks(ctx);
