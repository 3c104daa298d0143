package dev.stackquery.storage

import kotlin.time.Duration

/**
 * A string-to-string store with expiry: the persistent (L2) tier of a [dev.stackquery.QueryClient],
 * set with `QueryClientConfig(storage = …)`, or a tier of a [TieredStorage].
 *
 * Implementations must be thread-safe and must not block the calling thread: blocking I/O belongs
 * on an I/O dispatcher (`withContext(Dispatchers.IO)`). Functions should be cancellable, but a
 * client never relies on it: it stops waiting after its `storageTimeout` whatever the storage does.
 * Errors should be thrown as [StorageException] ([StorageUnavailableException] when the store
 * cannot be reached).
 *
 * A storage may also implement the optional capabilities [BatchStorage], [PrefixDeletableStorage]
 * and [PurgeableStorage]; a client uses them when present (one round trip for a batch of
 * coalesced writes, removal of entries it does not hold in memory). [close] releases what the
 * storage holds; a client never closes the storage it was given (several clients may share one).
 *
 * From Java, implement [AsyncStorageBackend] and adapt it with [AsyncStorageBackend.asStorageBackend].
 */
public interface StorageBackend : AutoCloseable {
    /** The value stored under [key], or `null` when there is none or it has expired. */
    public suspend fun get(key: String): String?

    /**
     * Stores [value] under [key], replacing any previous value. With a [ttl] the entry expires
     * that long after this call (a zero or negative [ttl] stores nothing and removes the key);
     * with `null` it never expires.
     */
    public suspend fun set(key: String, value: String, ttl: Duration?)

    /** Removes the entry under [key]; no-op when there is none. */
    public suspend fun delete(key: String)

    /** Releases the storage's resources. Default: nothing to release. Idempotent. */
    override fun close() {}
}
