package dev.stackquery.storage.redis

import dev.stackquery.QueryClient
import dev.stackquery.QueryClientConfig
import dev.stackquery.QueryKey
import dev.stackquery.queryKey
import dev.stackquery.queryOptions
import kotlinx.coroutines.TimeoutCancellationException
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeout
import java.util.concurrent.atomic.AtomicInteger
import kotlin.system.exitProcess
import kotlin.time.Duration.Companion.minutes
import kotlin.time.Duration.Companion.seconds

/**
 * The other process of [RedisFleetProcessSpec]: one QueryClient on a RedisStorage and a
 * RedisSyncTransport, run as `java -cp … dev.stackquery.storage.redis.FleetChild <mode> <redisUri>
 * <namespace> <channel> [value]`. It reports on standard output, one line per step:
 *
 * - `persist <…> <value>`: fetches [PERSISTED] (its query function returns `value`), flushes the
 *   write to Redis, prints `PERSISTED <value>` and exits with 0.
 * - `watch <…>`: subscribes an observer to [WATCHED] (its query function returns
 *   `child-fetch-<n>`, n counting its calls), prints `READY <data>` once it holds data, then
 *   `REFETCHED <data>` after the next fetch (another instance's invalidation), and exits with 0.
 *
 * Anything that does not happen within [TIMEOUT] prints `TIMEOUT <what>` and exits with 2.
 */
object FleetChild {
    val PERSISTED: QueryKey = queryKey("fleet", "persisted")
    val WATCHED: QueryKey = queryKey("fleet", "watched")
    private val TIMEOUT = 30.seconds

    @JvmStatic
    fun main(args: Array<String>) {
        val status = try {
            runBlocking { run(args) }
        } catch (e: TimeoutCancellationException) {
            println("TIMEOUT ${e.message}")
            2
        }
        System.out.flush()
        exitProcess(status)
    }

    private suspend fun run(args: Array<String>): Int {
        val (mode, uri, namespace, channel) = args
        val storage = RedisStorage.create(uri, RedisStorageOptions(namespace = namespace))
        val client = QueryClient(
            QueryClientConfig(
                staleTime = 10.minutes,
                retry = 0,
                storage = storage,
                sync = RedisSyncTransport.create(uri, channel),
            ),
        )
        try {
            when (mode) {
                "persist" -> {
                    val value = args[4]
                    val data = withTimeout(TIMEOUT) { client.fetchQuery(queryOptions(PERSISTED, queryFn = { value })) }
                    withTimeout(TIMEOUT) { client.flush() }
                    println("PERSISTED $data")
                }
                "watch" -> {
                    val calls = AtomicInteger()
                    val observer = client.watch(
                        queryOptions(WATCHED, queryFn = {
                            "child-fetch-${calls.incrementAndGet()}"
                        }),
                    )
                    observer.subscribe { }.use {
                        val first = withTimeout(TIMEOUT) { observer.state.first { it.hasData && !it.isFetching } }
                        println("READY ${first.data}")
                        val next = withTimeout(TIMEOUT) {
                            observer.state.first { it.hasData && !it.isFetching && it.data != first.data }
                        }
                        println("REFETCHED ${next.data}")
                    }
                }
                else -> error("unknown mode $mode")
            }
        } finally {
            client.close()
            storage.close()
        }
        return 0
    }
}
