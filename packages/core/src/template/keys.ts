import type { CursorBinding } from "../cursor";
import type { PagedQuery } from "../table";

/**
 * Key templates of the template family: the only place that knows them.
 *
 * One partition per template: a head item (`HEAD`: the latest version's
 * number and summary, the version counter, and the list entry) and one
 * immutable item per version (`V#<10 digits>`, so versions sort). Deleting a
 * template marks the head and takes it off the list; its version items stay,
 * so a session that pinned one keeps reading it, and the counter goes on, so
 * a version number never names two contents.
 */
const VERSION_WIDTH = 10;
const idPattern = "[a-z0-9][a-z0-9_-]{0,63}";
const partition = (id: string) => `TEMPLATE#${id}`;
const HEAD = "HEAD";
const LIST_PARTITION = "TEMPLATES";

export const templateKeys = {
  head: (id: string) => ({ pk: partition(id), sk: HEAD }),
  version: (id: string, version: number) => ({ pk: partition(id), sk: `V#${String(version).padStart(VERSION_WIDTH, "0")}` }),
  /**
   * byId (gsi1): every live template's head in one index partition, by id.
   * One partition suits thousands of templates written a few times a day;
   * a deleted head carries no gsi1 attributes and drops out.
   */
  byId: {
    attributes: (id: string) => ({ gsi1pk: LIST_PARTITION, gsi1sk: id }),
    /** The attributes to REMOVE to take a head off the list. */
    attributeNames: ["gsi1pk", "gsi1sk"] as const,
    query: (): PagedQuery => ({
      IndexName: "gsi1",
      KeyConditionExpression: "gsi1pk = :pk",
      ExpressionAttributeValues: { ":pk": LIST_PARTITION },
    }),
    cursorFormat: {
      attributes: {
        pk: new RegExp(`^TEMPLATE#${idPattern}$`),
        sk: new RegExp(`^${HEAD}$`),
        gsi1pk: new RegExp(`^${LIST_PARTITION}$`),
        gsi1sk: new RegExp(`^${idPattern}$`),
      },
      equals: { gsi1pk: LIST_PARTITION },
    } satisfies CursorBinding,
  },
};
