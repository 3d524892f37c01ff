// Jest global teardown: stops the control planes the run started; see shared.ts.
export default async function teardown() {
  const { tearDownRun } = await import('./shared.ts');
  tearDownRun();
}
