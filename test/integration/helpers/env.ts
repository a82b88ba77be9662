/**
 * Environment variable through which global-setup.ts hands the admin kubeconfig path of the integration
 * cluster (local control plane, or the `MPE_KUBECONFIG` cluster) to the test files.
 * Kept in a module without imports so that global-setup.ts can load it cheaply.
 */
export const TEST_KUBECONFIG_ENV = 'KUBECONFIG_MPE_TEST';
