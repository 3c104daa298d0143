package dev.stackquery.internal

import dev.stackquery.QueryOptions

/**
 * Options merged with a client's defaults by prefix, cached on the options they were made from:
 * valid while [registry] is the client's and its version is still [version].
 */
internal class MergedOptions(val registry: Any, val version: Long, val options: QueryOptions<*>)
