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
  /** The database user the migration Job connects as: owns the schema (DDL); created by the database automation. */
  migrationDatabaseUser: 'wms_migrator',
  /** Schema of the WMS tables, owned by the migration user (both users' search_path). */
  databaseSchema: 'wms',
  /**
   * The application repositories that build the WMS images, each with the image repositories (in the registry
   * account) it alone may push to and the git refs whose GitHub Actions jobs may push: its push role trusts
   * `repo:<repository>:ref:<ref>` for these refs only (docs/delivery.md, "Images").
   */
  imageSources: [
    { repository: 'acme/wms-api', images: ['wms-api'], refs: ['refs/heads/main', 'refs/tags/v*'] },
    { repository: 'acme/wms-web', images: ['wms-web'], refs: ['refs/heads/main', 'refs/tags/v*'] },
  ],
} as const;
