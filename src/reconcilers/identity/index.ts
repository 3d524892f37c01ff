/** The identity kinds' reconcilers: workload identities and the two credential-provider kinds. */
export { workloadIdentityReconciler } from './workloadidentity.js';
export { oauth2CredentialProviderReconciler } from './oauth2credentialprovider.js';
export { apiKeyCredentialProviderReconciler } from './apikeycredentialprovider.js';
