import { controlPlaneHome } from '../../../shared/config/home';
import type { Home } from '../../../shared/domain/spec/names';
import { factory, setting, type Factory } from '../composition';

/** Where fledge runs (partition, region, account), read from its state machine's ARN: where a spec's function and hooks may be. */
export const homePort: Factory<Home> = /* @__PURE__ */ factory(['stateMachineArn'], (c) => controlPlaneHome(setting(c, 'stateMachineArn')));
