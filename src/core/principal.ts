/** Who is asking: an id, its tenant and roles (resolved from config, tokens or chat identities). */
export interface Principal {
  id: string;
  tenant: string;
  roles: string[];
  displayName?: string;
}
