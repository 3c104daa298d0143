package dev.stackquery.storage

/** A [StorageBackend] whose expired entries stay on disk until purged (files, SQL rows). */
public interface PurgeableStorage : StorageBackend {
    /** Removes every expired entry now and returns how many were removed. */
    public suspend fun purgeExpired(): Int
}
