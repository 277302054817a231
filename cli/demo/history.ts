import { formatHistory, type DeploymentSummary } from '../format/deployment';
import type { Style } from '../format/style';

/**
 * The history of one alias exactly as `fledge history <function> --alias <alias>` shows it: the
 * same API call (`GET /deployments`) and the same table.
 */
export async function historyTable(apiUrl: string, functionName: string, alias: string, style: Style): Promise<string> {
  const response = await fetch(`${apiUrl}/deployments?${new URLSearchParams({ function: functionName, alias, limit: '20' })}`, { headers: { accept: 'application/json' } });
  if (response.status !== 200) throw new Error(`GET /deployments answered ${response.status}: ${await response.text()}`);
  const { items } = (await response.json()) as { items: DeploymentSummary[] };
  return `${formatHistory(items, style).map((line) => `  ${line}`).join('\n')}\n`;
}
