package dev.stackquery.internal.query

/**
 * Which page a fetch of an infinite query loads: the next one ([FORWARD], `fetchNextPage`) or the
 * previous one ([BACKWARD], `fetchPreviousPage`). A fetch without a direction refetches every
 * page (TanStack's `fetchMeta.fetchMore`). The engine only carries it to the query function and
 * lets fetches of the same direction share one run.
 */
internal enum class PageDirection { FORWARD, BACKWARD }
