package dev.stackquery.storage.redis

import dev.stackquery.storage.BatchStorage
import dev.stackquery.storage.PrefixDeletableStorage
import dev.stackquery.storage.StorageEntry
import dev.stackquery.storage.redis.internal.LazyConnection
import dev.stackquery.storage.redis.internal.RedisConnector
import dev.stackquery.storage.redis.internal.SetAllScript
import dev.stackquery.storage.redis.internal.failure
import dev.stackquery.storage.redis.internal.prefixPattern
import io.lettuce.core.RedisNoScriptException
import io.lettuce.core.ScanArgs
import io.lettuce.core.ScanCursor
import io.lettuce.core.ScriptOutputType
import io.lettuce.core.SetArgs
import io.lettuce.core.api.StatefulRedisConnection
import io.lettuce.core.api.async.RedisAsyncCommands
import kotlinx.coroutines.currentCoroutineContext
import kotlinx.coroutines.ensureActive
import kotlinx.coroutines.future.await
import org.slf4j.LoggerFactory
import java.security.MessageDigest
import java.util.concurrent.atomic.AtomicBoolean
import kotlin.coroutines.cancellation.CancellationException
import kotlin.time.Duration
import kotlin.time.Duration.Companion.days
import kotlin.time.Duration.Companion.milliseconds

/**
 * A [BatchStorage] and [PrefixDeletableStorage] in Redis: the L2 tier that several processes
 * share, so that each one hydrates from what the others persisted. Built on Lettuce's
 * asynchronous API: no operation blocks the calling thread.
 *
 * ```kotlin
 * val storage = RedisStorage.create("redis://127.0.0.1:6379/0", RedisStorageOptions(namespace = "shop:"))
 * storage.set("k", "v", 10.minutes)   // SET shop:k v PX 600000
 * ```
 * ```java
 * RedisStorage storage = RedisStorage.create("redis://127.0.0.1:6379/0",
 *     RedisStorageOptions.builder().namespace("shop:").commandTimeout(Duration.ofMillis(500)).build());
 * ```
 *
 * - **Keys.** Every key is stored as [RedisStorageOptions.namespace] + key (default
 *   `stackquery:`), as UTF-8, and so are values; any string is a valid key or value.
 * - **Expiry** is Redis's own: `SET key value PX ms`, the TTL rounded up to a whole millisecond
 *   (so sub-second TTLs work), a plain `SET` for no TTL (or an infinite one), and `DEL` for a zero or
 *   negative TTL. TTLs beyond 100 years are capped at 100 years.
 * - **Batches.** [getAll] is one `MGET` per 1000 keys, pipelined; [setAll] is one Lua script
 *   (`EVALSHA`, loaded with `EVAL` the first time), so a batch is written in one round trip and
 *   atomically, in order.
 * - **Prefix removal.** [deleteByPrefix] walks the keyspace with `SCAN MATCH` (every glob
 *   metacharacter of the namespace and prefix escaped, never `KEYS`) and removes each page with
 *   `UNLINK`: it removes exactly the keys that start with the prefix, in steps of
 *   [RedisStorageOptions.scanCount] keys, and costs in proportion to the size of the database.
 * - **Connection.** One connection, opened in the background by [create] and shared by every
 *   caller (Redis pipelines their commands). If Redis is down when it is first needed, each
 *   operation tries again; once open, a lost connection is re-established in the background
 *   (backoff up to 2 s), and operations issued meanwhile fail at once instead of queueing.
 *   Single Redis servers (and Sentinel URIs) only, not Redis Cluster.
 * - **Errors.** A refused or lost connection, a command that exceeds
 *   [RedisStorageOptions.commandTimeout], or a closed storage throws
 *   [dev.stackquery.storage.StorageUnavailableException]; any other Redis error a
 *   [dev.stackquery.storage.StorageException]. With [RedisStorageOptions.silent], failures are
 *   logged and read as misses instead.
 *
 * Thread-safe. Operations are cancellable (a cancelled caller stops waiting; a command already
 * sent still runs in Redis). [close] closes the connection; operations after it fail as
 * unavailable.
 */
public class RedisStorage private constructor(
    uri: String,
    /** The options this storage was created with. */
    public val options: RedisStorageOptions,
) : BatchStorage, PrefixDeletableStorage {
    private val connector = RedisConnector(uri, options.commandTimeout, options.connectTimeout)
    private val connection: LazyConnection<StatefulRedisConnection<String, String>> =
        connector.commandConnection().also { it.openInBackground() }
    private val namespace = options.namespace
    private val failing = AtomicBoolean()

    override suspend fun get(key: String): String? = run("GET", miss = null) { redis ->
        redis.get(namespace + key).await()
    }

    override suspend fun set(key: String, value: String, ttl: Duration?) {
        run("SET", miss = Unit) { redis ->
            val name = namespace + key
            when (val px = ttlArgument(ttl)) {
                SetAllScript.NO_EXPIRY -> redis.set(name, value).await()
                SetAllScript.DELETE -> redis.del(name).await()
                else -> redis.set(name, value, SetArgs.Builder.px(px.toLong())).await()
            }
        }
    }

    override suspend fun delete(key: String) {
        run("DEL", miss = Unit) { redis -> redis.del(namespace + key).await() }
    }

    override suspend fun getAll(keys: Collection<String>): Map<String, String> {
        if (keys.isEmpty()) return emptyMap()
        return run("MGET", miss = emptyMap()) { redis ->
            val chunks = keys.distinct().chunked(MGET_CHUNK)
            val replies = chunks.map { chunk -> redis.mget(*Array(chunk.size) { namespace + chunk[it] }) }
            val found = LinkedHashMap<String, String>()
            chunks.forEachIndexed { c, chunk ->
                replies[c].await().forEachIndexed { i, reply -> if (reply.hasValue()) found[chunk[i]] = reply.value }
            }
            found
        }
    }

    override suspend fun setAll(entries: List<StorageEntry>) {
        if (entries.isEmpty()) return
        run("setAll", miss = Unit) { redis ->
            val keys = Array(entries.size) { namespace + entries[it].key }
            val args = Array(entries.size * 2) { i ->
                val entry = entries[i / 2]
                if (i % 2 == 0) entry.value else ttlArgument(entry.ttl)
            }
            try {
                redis.evalsha<Long>(SET_ALL_SHA, ScriptOutputType.INTEGER, keys, *args).await()
            } catch (e: RedisNoScriptException) {
                redis.eval<Long>(SetAllScript.SOURCE, ScriptOutputType.INTEGER, keys, *args).await()
            }
        }
    }

    override suspend fun deleteByPrefix(prefix: String): Long = run("deleteByPrefix", miss = 0L) { redis ->
        val full = namespace + prefix
        val scan = ScanArgs.Builder.matches(prefixPattern(full)).limit(options.scanCount.toLong())
        var cursor: ScanCursor = ScanCursor.INITIAL
        var removed = 0L
        do {
            val page = redis.scan(cursor, scan).await()
            val doomed = page.keys.filter { it.startsWith(full) }
            if (doomed.isNotEmpty()) removed += redis.unlink(*doomed.toTypedArray()).await()
            cursor = page
        } while (!page.isFinished)
        removed
    }

    /** Closes the connection and stops the client's threads (waiting up to a few seconds). Idempotent. */
    override fun close() {
        connector.close()
    }

    override fun toString(): String = "RedisStorage(${connector.target}, namespace=$namespace)"

    /** Runs [block] on the connection, turning Lettuce failures into storage exceptions (or [miss] when silent). */
    private suspend inline fun <T> run(
        operation: String,
        miss: T,
        block: (RedisAsyncCommands<String, String>) -> T,
    ): T {
        val result = try {
            block(connection.get().async())
        } catch (e: Exception) {
            // Our own cancellation propagates; a CancellationException of Lettuce's (a command it
            // cancelled) while we are still active is a failure like any other.
            if (e is CancellationException) currentCoroutineContext().ensureActive()
            return failed(operation, e, miss)
        }
        if (failing.get()) recovered()
        return result
    }

    private fun <T> failed(operation: String, error: Exception, miss: T): T {
        val failure = connector.failure(operation, error)
        if (!options.silent) throw failure
        if (failing.compareAndSet(false, true)) {
            log.warn(
                "{}: {} (silent: failures read as misses, logged at debug level until an operation succeeds)",
                this,
                failure.message,
                failure,
            )
        } else {
            log.debug("{}: {}", this, failure.message)
        }
        return miss
    }

    private fun recovered() {
        if (failing.compareAndSet(true, false)) log.info("{}: Redis answers again", this)
    }

    public companion object {
        private val log = LoggerFactory.getLogger(RedisStorage::class.java)
        private const val MGET_CHUNK = 1000
        private val MAX_TTL = (100 * 365).days

        private val SET_ALL_SHA: String = MessageDigest.getInstance("SHA-1")
            .digest(SetAllScript.SOURCE.toByteArray(Charsets.UTF_8))
            .joinToString("") { "%02x".format(it) }

        /**
         * A storage on the Redis server at [uri] (`redis://[password@]host[:port][/database]`,
         * `rediss://` for TLS, `redis-sentinel://` for Sentinel), configured by [options]. Starts
         * connecting in the background and returns at once: it does not fail when Redis is down
         * (the operations do, until it is up).
         *
         * @throws IllegalArgumentException when [uri] is not a Redis URI.
         */
        @JvmStatic
        @JvmOverloads
        public fun create(uri: String, options: RedisStorageOptions = RedisStorageOptions.DEFAULT): RedisStorage =
            RedisStorage(uri, options)

        /**
         * The TTL argument for Redis: milliseconds rounded up (at most [MAX_TTL]),
         * [SetAllScript.NO_EXPIRY] for none or an infinite one, [SetAllScript.DELETE] for a zero
         * or negative one.
         */
        private fun ttlArgument(ttl: Duration?): String = when {
            ttl == null || ttl.isInfinite() -> SetAllScript.NO_EXPIRY
            !ttl.isPositive() -> SetAllScript.DELETE
            ttl >= MAX_TTL -> MAX_TTL.inWholeMilliseconds.toString()
            else -> {
                val millis = ttl.inWholeMilliseconds
                (if (millis.milliseconds < ttl) millis + 1 else millis).toString()
            }
        }
    }
}
