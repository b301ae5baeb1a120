/** The types that describe a WMS workload, shared by its constructs, their helpers and the app stack. */

/** A container image: a repository and a tag, a digest, or both (`repository:tag@digest`). */
export interface WmsImage {
  /** Repository without tag or digest, e.g. `123456789012.dkr.ecr.eu-west-1.amazonaws.com/wms-api`. */
  readonly repository: string;
  /**
   * Tag, e.g. `1.4.2`: 1-128 letters, digits, `_`, `.` and `-`, not starting with `.` or `-`; never `latest`.
   * @default - none: then `digest` is required
   */
  readonly tag?: string;
  /**
   * Digest, `sha256:<64 hex digits>`: pins the exact image (with a tag as well, the tag is only informational).
   * @default - none: then `tag` is required
   */
  readonly digest?: string;
}

/** CPU and memory requests and limits of one container, as Kubernetes quantities (`250m`, `1`, `256Mi`). */
export interface WmsContainerResources {
  /** CPU request, e.g. `250m`. */
  readonly cpuRequest: string;
  /** CPU limit, e.g. `1`; at least the request. */
  readonly cpuLimit: string;
  /** Memory request, e.g. `256Mi`. */
  readonly memoryRequest: string;
  /** Memory limit, e.g. `512Mi`; at least the request. */
  readonly memoryLimit: string;
}
