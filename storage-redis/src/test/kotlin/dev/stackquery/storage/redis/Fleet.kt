package dev.stackquery.storage.redis

import dev.stackquery.QueryClient
import dev.stackquery.QueryClientConfig
import dev.stackquery.QueryKey
import dev.stackquery.testing.TcpProxy
import kotlinx.coroutines.withTimeoutOrNull
import kotlin.time.Duration
import kotlin.time.Duration.Companion.minutes
import kotlin.time.Duration.Companion.seconds

/**
 * The instances of one test that share a Redis server the way a fleet of processes does: every
 * [instance] is a [QueryClient] with a [RedisStorage] and a [RedisSyncTransport] of its own
 * (separate connections), all on this fleet's [namespace] and [channel], both unique to the test.
 * [release] closes them and removes every key of the namespace.
 */
class Fleet {
    val namespace: String = TestRedis.uniqueNamespace()
    val channel: String = TestRedis.uniqueChannel()
    private val instances = mutableListOf<Instance>()

    /** A client of the fleet and its storage (the client closes its transport; [Fleet.release] closes both). */
    class Instance(val client: QueryClient, val storage: RedisStorage)

    /**
     * A new instance connected to Redis at [uri] (through a [TcpProxy], for instance), with
     * [redisTimeout] for its Redis commands, connections and publications. Its client keeps data
     * fresh for 10 minutes (so only invalidation, never age, makes it stale) and does not retry.
     */
    fun instance(
        uri: String = TestRedis.URI,
        redisTimeout: Duration = RedisStorageOptions.DEFAULT_TIMEOUT,
        storageTimeout: Duration = 2.seconds,
        storageCoolDown: Duration = 30.seconds,
        storageFailureThreshold: Int = 5,
        storageWriteRetries: Int = 3,
    ): Instance {
        val storage = RedisStorage.create(
            uri,
            RedisStorageOptions(namespace = namespace, commandTimeout = redisTimeout, connectTimeout = redisTimeout),
        )
        val client = QueryClient(
            QueryClientConfig(
                staleTime = 10.minutes,
                retry = 0,
                storage = storage,
                sync = RedisSyncTransport.create(uri, channel, redisTimeout),
                storageTimeout = storageTimeout,
                storageCoolDown = storageCoolDown,
                storageFailureThreshold = storageFailureThreshold,
                storageWriteRetries = storageWriteRetries,
            ),
        )
        return Instance(client, storage).also { instances += it }
    }

    /** Waits until exactly [count] transports are subscribed to [channel]. */
    suspend fun awaitSubscribed(count: Long) = TestRedis.awaitSubscribers(channel, count)

    /** The Redis key under which the clients persist [key] (the storage's namespace, then the client's). */
    fun redisKey(key: QueryKey): String = namespace + "stackquery:" + key

    /** Every Redis key of this fleet, sorted. */
    fun redisKeys(): List<String> = TestRedis.raw().use { it.keys(namespace) }

    /** The raw value Redis holds under [key]'s entry, or `null`. */
    fun redisValue(key: QueryKey): String? = TestRedis.raw().use { it.commands.get(redisKey(key)) }

    /** Flushes (for at most 5 s) and closes every instance, then removes the namespace and checks it is empty. */
    suspend fun release() {
        for (instance in instances) {
            withTimeoutOrNull(5.seconds) { instance.client.flush() }
            instance.client.close()
            instance.storage.close()
        }
        instances.clear()
        TestRedis.removeNamespace(namespace)
    }
}
