export { openStore, DEFAULT_DATA_DIR, SQLITE_FILE_NAME } from "./open-store.js";
export { ForeignKeyViolationError, StoreOpenError, type StoreSetting } from "./errors.js";
export { CorruptRowError } from "./json-columns.js";
export {
  InvalidPageTokenError,
  UniqueViolationError,
  type ApiKeyListFilter,
  type ApiKeyRepository,
  type ClusterRepository,
  type ConnectorRepository,
  type EnvironmentRepository,
  type IntegrationListFilter,
  type IntegrationRepository,
  type MetaRepository,
  type Page,
  type PageRequest,
  type Repositories,
  type RoleBindingListFilter,
  type RoleBindingRepository,
  type ServiceAccountRepository,
  type Store,
  type StoreOptions,
} from "./store.js";
