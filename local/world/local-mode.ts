import { startLocalMode, type LocalMode, type LocalModeOptions } from '../mode';

/**
 * All of `fledge local` (the control plane, the S3 drop, the deployments API) in this process, as
 * the demo and the whole-system tests run it: free ports, everything in memory, no discovery
 * file, and the embedded AWS's short cycles — alarms evaluated every 5 simulated seconds (AWS:
 * every minute), so a 20-s check interval sees fresh verdicts, and a 200-ms update window.
 */
export function startInProcessLocalMode(options: Pick<LocalModeOptions, 'email' | 'sdkMaxAttempts'> & { readonly timeScale: number }): Promise<LocalMode> {
  return startLocalMode({
    port: 0,
    apiPort: 0,
    dataDir: null,
    discoveryDir: false,
    aws: { cloudwatch: { evaluationIntervalSeconds: 5 }, lambda: { updateDelayMs: 200 } },
    ...options,
  });
}
