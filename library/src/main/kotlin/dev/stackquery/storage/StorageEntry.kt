package dev.stackquery.storage

import kotlin.time.Duration
import kotlin.time.toJavaDuration

/**
 * One write of a batch ([BatchStorage.setAll]): [value] under [key], expiring after [ttl]
 * (`null`: never).
 */
public class StorageEntry(
    public val key: String,
    public val value: String,
    @get:JvmSynthetic public val ttl: Duration?,
) {
    /** [ttl] for Java callers; `null` when the entry never expires. */
    public val ttlDuration: java.time.Duration? get() = ttl?.toJavaDuration()

    override fun equals(other: Any?): Boolean =
        other is StorageEntry && key == other.key && value == other.value && ttl == other.ttl

    override fun hashCode(): Int = (key.hashCode() * 31 + value.hashCode()) * 31 + ttl.hashCode()

    override fun toString(): String = "StorageEntry(key=$key, value=${value.length} chars, ttl=$ttl)"
}
