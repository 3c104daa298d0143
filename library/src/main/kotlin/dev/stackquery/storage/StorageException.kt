package dev.stackquery.storage

import dev.stackquery.StackQueryException

/**
 * A storage operation failed. The built-in storages wrap their driver's errors in it (or in a
 * subclass), so a caller that uses a storage directly handles one type; a storage created with
 * `silent = true` returns misses instead of throwing.
 *
 * A [dev.stackquery.QueryClient] never lets a storage failure fail a query: it logs it, counts it
 * in [StorageStats.errors] and carries on from memory and the query function.
 */
public open class StorageException @JvmOverloads constructor(
    message: String,
    cause: Throwable? = null,
) : StackQueryException(message, cause)
