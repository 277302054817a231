// Release 2: a friendlier greeting. Healthy: fledge shifts traffic to it once a person approves.
export const handler = async (event) => ({ release: 'v2', message: `hello there, ${event?.name ?? 'world'}!` });
