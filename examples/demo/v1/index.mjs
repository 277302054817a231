// Release 1 of the demo's sample function: a greeting.
export const handler = async (event) => ({ release: 'v1', message: `hello, ${event?.name ?? 'world'}` });
