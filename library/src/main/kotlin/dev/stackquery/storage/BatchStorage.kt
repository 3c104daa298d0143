package dev.stackquery.storage

/**
 * A [StorageBackend] that reads and writes many keys in one round trip (a pipeline, one SQL
 * transaction). A client's background writer hands it each batch of coalesced writes.
 */
public interface BatchStorage : StorageBackend {
    /** The values stored under [keys]; missing or expired keys are absent from the result. */
    public suspend fun getAll(keys: Collection<String>): Map<String, String>

    /**
     * Stores every entry, as [set] would, in one round trip; atomically where the store allows
     * it. A key that appears twice ends with its last entry.
     */
    public suspend fun setAll(entries: List<StorageEntry>)
}
