package dev.stackquery.storage.redis

import dev.stackquery.storage.redis.internal.prefixPattern
import dev.stackquery.testing.TcpProxy
import io.kotest.assertions.withClue
import io.kotest.core.descriptors.Descriptor
import io.kotest.core.extensions.EnabledExtension
import io.kotest.core.listeners.BeforeTestListener
import io.kotest.core.test.Enabled
import io.kotest.core.test.TestCase
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.shouldBe
import io.lettuce.core.RedisClient
import io.lettuce.core.api.StatefulRedisConnection
import kotlinx.coroutines.delay
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.extension.BeforeEachCallback
import org.junit.jupiter.api.extension.ConditionEvaluationResult
import org.junit.jupiter.api.extension.ExecutionCondition
import org.junit.jupiter.api.extension.ExtensionContext
import java.io.IOException
import java.net.InetSocketAddress
import java.net.Socket
import java.util.UUID
import java.util.concurrent.atomic.AtomicBoolean
import kotlin.time.Duration
import kotlin.time.Duration.Companion.seconds
import kotlin.time.TimeSource

/**
 * The Redis server the tests use: 127.0.0.1:6379 (`-Dstackquery.test.redisPort=…` points them
 * elsewhere), database 0. Every test works in its own namespace or channel ([uniqueNamespace],
 * [uniqueChannel]) and removes what it wrote.
 */
object TestRedis {
    const val HOST: String = "127.0.0.1"
    val PORT: Int = System.getProperty("stackquery.test.redisPort")?.toInt() ?: 6379

    @JvmField
    val URI: String = "redis://$HOST:$PORT/0"

    /** Which server is missing, and the command that starts it. */
    val MISSING: String = "Redis is not reachable on $HOST:$PORT (start it with `bash .ci/start-services`)"

    /** True when `STACKQUERY_REQUIRE_SERVICES=true` (CI): a missing server fails the tests. */
    val required: Boolean get() = System.getenv("STACKQUERY_REQUIRE_SERVICES") == "true"

    /** Whether a Redis server answers `PING` on [HOST]:[PORT] (checked once per JVM). */
    val reachable: Boolean by lazy {
        try {
            Socket().use { socket ->
                socket.connect(InetSocketAddress(HOST, PORT), 1_000)
                socket.soTimeout = 1_000
                socket.getOutputStream().write("PING\r\n".toByteArray())
                socket.getInputStream().bufferedReader().readLine() == "+PONG"
            }
        } catch (e: IOException) {
            false
        }
    }

    @JvmStatic
    fun uniqueNamespace(): String = "stackquery-test:${UUID.randomUUID()}:"

    @JvmStatic
    fun uniqueChannel(): String = "stackquery-test:sync:${UUID.randomUUID()}"

    /** A raw Lettuce connection for checking what the storage wrote (close it after use). */
    fun raw(): RawRedis = RawRedis()

    /**
     * Waits until exactly [count] connections are subscribed to [channel] (Redis `PUBSUB NUMSUB`),
     * at most [within]: a message published after this reaches each of them. With a [count] lower
     * than before, it waits until Redis has dropped the lost subscriptions.
     */
    suspend fun awaitSubscribers(channel: String, count: Long, within: Duration = 15.seconds) {
        raw().use { raw ->
            eventuallyWithin(within) {
                withClue("subscribers of $channel") { raw.commands.pubsubNumsub(channel)[channel] shouldBe count }
            }
        }
    }

    /** Deletes every key under [namespace] and checks that none is left (blocking; for cleaning up after a test). */
    @JvmStatic
    fun removeNamespace(namespace: String) {
        raw().use { raw ->
            val keys = raw.keys(namespace)
            if (keys.isNotEmpty()) raw.commands.del(*keys.toTypedArray())
            raw.keys(namespace).shouldBeEmpty()
        }
    }

    /** [awaitSubscribers] for Java tests: blocks the calling thread. */
    @JvmStatic
    fun awaitSubscribersBlocking(channel: String, count: Long) {
        runBlocking { awaitSubscribers(channel, count) }
    }
}

/** A plain synchronous Lettuce connection to [TestRedis], for assertions on raw Redis keys. */
class RawRedis : AutoCloseable {
    private val client: RedisClient = RedisClient.create(TestRedis.URI)
    val connection: StatefulRedisConnection<String, String> = client.connect()
    val commands get() = connection.sync()

    /** Every key under [namespace], sorted. */
    fun keys(namespace: String): List<String> = commands.keys(prefixPattern(namespace)).sorted()

    override fun close() {
        connection.close()
        client.shutdown(java.time.Duration.ZERO, java.time.Duration.ofSeconds(2))
    }
}

/**
 * Register in every spec that needs Redis (`extension(RequiresRedis)`): when Redis is not
 * reachable its tests are skipped, saying so with [TestRedis.MISSING] (printed once), unless
 * [TestRedis.required], in which case each of them fails with that message.
 */
object RequiresRedis : EnabledExtension, BeforeTestListener {
    private val warned = AtomicBoolean()

    override suspend fun isEnabled(descriptor: Descriptor): Enabled {
        if (TestRedis.reachable || TestRedis.required) return Enabled.enabled
        val reason = "${TestRedis.MISSING}: skipped (STACKQUERY_REQUIRE_SERVICES=true makes this a failure)"
        if (warned.compareAndSet(false, true)) System.err.println("WARNING: $reason")
        return Enabled.disabled(reason)
    }

    override suspend fun beforeTest(testCase: TestCase) {
        if (!TestRedis.reachable) throw AssertionError("STACKQUERY_REQUIRE_SERVICES=true but ${TestRedis.MISSING}")
    }
}

/**
 * The JUnit 5 form of [RequiresRedis], for Java tests (`@ExtendWith(RequiresRedisExtension.class)`):
 * the same check and the same message.
 */
class RequiresRedisExtension : ExecutionCondition, BeforeEachCallback {
    override fun evaluateExecutionCondition(context: ExtensionContext): ConditionEvaluationResult =
        if (TestRedis.reachable || TestRedis.required) {
            ConditionEvaluationResult.enabled("Redis is reachable on ${TestRedis.HOST}:${TestRedis.PORT}")
        } else {
            ConditionEvaluationResult.disabled(
                "${TestRedis.MISSING}: skipped (STACKQUERY_REQUIRE_SERVICES=true makes this a failure)",
            )
        }

    override fun beforeEach(context: ExtensionContext) {
        if (!TestRedis.reachable) throw AssertionError("STACKQUERY_REQUIRE_SERVICES=true but ${TestRedis.MISSING}")
    }
}

/**
 * Runs [attempt] until it returns without throwing, every 50 ms, for at most [within] (for
 * integration tests against a real server, e.g. waiting for a reconnection); then rethrows its
 * last failure.
 */
suspend fun <T> retryUntilSuccess(within: Duration = 15.seconds, attempt: suspend () -> T): T {
    val deadline = TimeSource.Monotonic.markNow() + within
    while (true) {
        try {
            return attempt()
        } catch (e: Exception) {
            if (e is kotlinx.coroutines.CancellationException &&
                e !is kotlinx.coroutines.TimeoutCancellationException
            ) {
                throw e
            }
            if (deadline.hasPassedNow()) throw AssertionError("still failing after $within", e)
        }
        delay(50)
    }
}

/**
 * Runs [block] until it passes (returns without an [AssertionError] or exception), every 20 ms,
 * for at most [within]: the bounded wait of an integration test for something another connection
 * or process does. Then rethrows its last failure, saying how long it waited.
 */
suspend fun <T> eventuallyWithin(within: Duration, block: suspend () -> T): T {
    val deadline = TimeSource.Monotonic.markNow() + within
    while (true) {
        try {
            return block()
        } catch (e: Throwable) {
            if (e is kotlinx.coroutines.CancellationException &&
                e !is kotlinx.coroutines.TimeoutCancellationException
            ) {
                throw e
            }
            if (e !is AssertionError && e !is Exception) throw e
            if (deadline.hasPassedNow()) throw AssertionError("not true within $within: ${e.message}", e)
        }
        delay(20)
    }
}

/** How long [block] took, with its result. */
suspend fun <T> timed(block: suspend () -> T): Pair<T, Duration> {
    val start = TimeSource.Monotonic.markNow()
    val result = block()
    return result to start.elapsedNow()
}

/** A [TcpProxy] in front of the test Redis. */
fun redisProxy(): TcpProxy = TcpProxy(TestRedis.HOST, TestRedis.PORT)

/** A Redis URI that goes through this proxy. */
val TcpProxy.uri: String get() = "redis://127.0.0.1:$port/0"
