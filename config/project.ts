/** Facts about the project itself, the same for every environment. */
export const PROJECT = {
  /** Prefix of every stack and physical resource name. */
  name: 'wms',
  /** The repository that holds this code: tagged on every resource, and trusted by CI's OIDC roles. */
  repository: 'acme/wms-platform',
  /** The WMS database inside the Aurora cluster. */
  databaseName: 'wms',
  /** The database user the WMS API connects as, through the RDS Proxy with IAM authentication. */
  apiDatabaseUser: 'wms_api',
} as const;
