package dev.stackquery.internal.common

import dev.stackquery.QueryClient
import dev.stackquery.QueryFilter
import dev.stackquery.QueryKey
import dev.stackquery.internal.sync.SyncMessage
import dev.stackquery.internal.sync.SyncMessageCodec
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.launch

/**
 * Cache operations on [client] recorded now and applied later, in order: what
 * `stackquery-storage-exposed` defers to the commit of the caller's database transaction.
 *
 * [syncMessages] gives the messages that announce the recorded operations to the other instances,
 * exactly as the client itself would publish them, so that a transport can send them inside the
 * transaction; [apply] then applies the operations here (memory and L2 tier) and publishes them
 * through the client's transport only when they were not sent that way.
 *
 * Not thread-safe: one transaction records and applies its own operations on its own thread.
 */
@InternalStackQueryApi
public class DeferredCacheOperations(private val client: QueryClient) {
    private sealed class Op {
        class Invalidate(val filter: QueryFilter) : Op()

        class Remove(val filter: QueryFilter) : Op()

        class Reset(val filter: QueryFilter) : Op()

        class Set(val key: QueryKey, val data: Any?) : Op()
    }

    private val ops = ArrayList<Op>()

    /** The time the data of the recorded sets is written at; fixed by [syncMessages], so both agree. */
    private var updatedAt: Long? = null

    /** Whether nothing is recorded. */
    public val isEmpty: Boolean get() = ops.isEmpty()

    /** Records `invalidateQueries(filter)`. */
    public fun invalidate(filter: QueryFilter) {
        ops += Op.Invalidate(filter)
    }

    /** Records `removeQueries(filter)`. */
    public fun remove(filter: QueryFilter) {
        ops += Op.Remove(filter)
    }

    /** Records `resetQueries(filter)`. */
    public fun reset(filter: QueryFilter) {
        ops += Op.Reset(filter)
    }

    /** Records `setQueryData(key, data)`. */
    public fun <T> set(key: QueryKey, data: T) {
        ops += Op.Set(key, data)
    }

    /** Moves everything [other] recorded behind what this records (a nested transaction's operations, at its commit). */
    public fun takeAll(other: DeferredCacheOperations) {
        ops += other.ops
        other.clear()
    }

    /** Forgets everything recorded (a rollback). */
    public fun clear() {
        ops.clear()
        updatedAt = null
    }

    /**
     * The sync messages the client would publish for the recorded operations, in order, as the
     * text its transport carries (from this client's origin, so it ignores them when they come
     * back); empty when the client has no `QueryClientConfig.sync`. A set is announced with its
     * data when the key's query in memory has a codec, else as an invalidation of the key. An
     * operation whose filter does not select by key alone is announced key by key, for the
     * queries it selects now.
     */
    public fun syncMessages(): List<String> {
        val engine = client.engine
        val origin = engine.syncOrigin ?: return emptyList()
        val now = updatedAt ?: engine.runtime.clock.nowMillis().also { updatedAt = it }
        val operations = engine.operations
        val messages = ops.flatMap { op ->
            when (op) {
                is Op.Invalidate -> operations.messagesFor(op.filter) { key, exact ->
                    SyncMessage.Invalidate(key, exact)
                }
                is Op.Remove -> operations.messagesFor(op.filter) { key, exact -> SyncMessage.Remove(key, exact) }
                is Op.Reset -> operations.messagesFor(op.filter) { key, exact -> SyncMessage.Reset(key, exact) }
                is Op.Set -> listOf(operations.setMessage(op.key, op.data, now))
            }
        }
        return messages.map { SyncMessageCodec.encode(origin, it) }
    }

    /**
     * Applies the recorded operations here, in order, and forgets them: the memory and the L2 tier
     * change as the client's own calls would change them, and the other instances are told through
     * the client's transport unless [alreadyPublished] (their [syncMessages] were sent). Returns
     * once every change is made in memory; the refetches they cause are started, not awaited.
     * Never throws: on a closed client nothing happens, and a failing operation is logged and
     * skipped.
     */
    public fun apply(alreadyPublished: Boolean) {
        val engine = client.engine
        val operations = if (alreadyPublished) engine.silentOperations else engine.operations
        val applied = ops.toList()
        val at = updatedAt
        clear()
        if (engine.runtime.isClosed) return
        // UNDISPATCHED and nothing awaited (wait = false): runs to its end on this thread before launch returns.
        engine.runtime.scope.launch(start = CoroutineStart.UNDISPATCHED) {
            for (op in applied) {
                try {
                    when (op) {
                        is Op.Invalidate -> operations.invalidate(op.filter, local = true, wait = false)
                        is Op.Remove -> operations.remove(op.filter, local = true)
                        is Op.Reset -> operations.reset(op.filter, local = true, wait = false)
                        is Op.Set -> engine.setQueryData(op.key, { _: Any? -> op.data }, at, !alreadyPublished)
                    }
                } catch (e: Exception) {
                    if (e is CancellationException) throw e
                    engine.runtime.logFailure("applying $op after the commit", e)
                }
            }
        }
    }
}
