// Replaced by the store work: starts one Azurite for the whole suite.
export default async function globalSetup(): Promise<void> {}
