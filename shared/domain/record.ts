/** Fields every record carries (SPEC §1 concurrency): a domain notion, which the store fills and checks. */
export interface BaseRecord {
  id: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}
