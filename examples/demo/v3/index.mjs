// Release 3: a regression. Every third request in each execution environment fails, so about a
// third of the traffic that reaches this version errors: fledge's alarm on the new version fires
// during the canary and fledge puts the alias back on release 2.
let requests = 0;

export const handler = async (event) => {
  requests += 1;
  if (requests % 3 === 0) throw new Error('release v3 cannot parse the greeting template');
  return { release: 'v3', message: `hello again, ${event?.name ?? 'world'}` };
};
