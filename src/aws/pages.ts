/** Paginated listings: every page, from a first request without a token until AWS gives no next one. */

/**
 * The items of every page. `read` fetches one page for a token (undefined first) and returns its
 * items with the next token; an empty token ends the listing as an absent one does.
 */
export async function allPages<Item>(read: (token: string | undefined) => Promise<{ items?: Item[]; next?: string }>): Promise<Item[]> {
  const items: Item[] = [];
  let token: string | undefined;
  do {
    const page = await read(token);
    items.push(...(page.items ?? []));
    token = page.next || undefined;
  } while (token);
  return items;
}
