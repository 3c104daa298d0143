package dev.stackquery.internal.persistence

import dev.stackquery.storage.QueryCodec
import dev.stackquery.storage.StorageEntry
import kotlin.time.Duration

/** One operation waiting in the [WriteQueue]: the immutable snapshot of the moment it was queued. */
internal sealed class WriteOp {
    /** Its place in the queue's order, set when queued. */
    var seq = 0L

    /** The key it replaces in the queue: the same key's older operation is dropped (latest wins). */
    abstract val queueKey: Any

    /** Writes [data] under [storageKey]. */
    class Put<T>(
        val storageKey: String,
        val data: T,
        val dataUpdatedAt: Long,
        val invalidated: Boolean,
        val codec: QueryCodec<T>,
        val ttl: Duration?,
    ) : WriteOp() {
        override val queueKey: Any get() = storageKey

        /** The entry to store, encoded now (on the writer, never on the caller's thread). */
        fun entry(buster: String): StorageEntry =
            StorageEntry(storageKey, Envelope.encode(codec, data, dataUpdatedAt, invalidated, buster), ttl)

        fun persisted(): Persisted<T> = Persisted(data, dataUpdatedAt, invalidated, pending = true)
    }

    /** Deletes the entry under [storageKey]. */
    class Delete(val storageKey: String) : WriteOp() {
        override val queueKey: Any get() = storageKey
    }

    /** Deletes every entry whose storage key starts with [prefix]. */
    class DeletePrefix(val prefix: String) : WriteOp() {
        override val queueKey: Any = PrefixKey(prefix)

        /** Whether this deletion removes the entry under [storageKey]. */
        fun covers(storageKey: String): Boolean = storageKey.startsWith(prefix)
    }

    /** A prefix deletion's place in the queue, apart from any storage key. */
    private data class PrefixKey(val prefix: String)
}
