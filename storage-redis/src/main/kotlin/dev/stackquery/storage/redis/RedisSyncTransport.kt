@file:OptIn(InternalStackQueryApi::class)

package dev.stackquery.storage.redis

import dev.stackquery.internal.common.InternalStackQueryApi
import dev.stackquery.internal.common.requireDispatching
import dev.stackquery.internal.common.requirePositiveFinite
import dev.stackquery.storage.redis.internal.RedisConnector
import dev.stackquery.storage.redis.internal.failure
import dev.stackquery.sync.SyncListener
import dev.stackquery.sync.SyncTransport
import io.lettuce.core.pubsub.RedisPubSubAdapter
import kotlinx.coroutines.CoroutineName
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.cancel
import kotlinx.coroutines.currentCoroutineContext
import kotlinx.coroutines.delay
import kotlinx.coroutines.ensureActive
import kotlinx.coroutines.future.await
import kotlinx.coroutines.launch
import org.slf4j.LoggerFactory
import java.util.concurrent.Executor
import java.util.concurrent.atomic.AtomicBoolean
import java.util.concurrent.atomic.AtomicInteger
import kotlin.coroutines.CoroutineContext
import kotlin.coroutines.cancellation.CancellationException
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds
import kotlin.time.toKotlinDuration

/**
 * A [SyncTransport] over Redis pub/sub: every transport created on the same Redis server and
 * [channel] receives what any of them publishes, its own messages included.
 *
 * ```kotlin
 * val transport = RedisSyncTransport.create("redis://127.0.0.1:6379/0")   // channel "stackquery:sync"
 * ```
 * ```java
 * RedisSyncTransport transport = RedisSyncTransport.create("redis://127.0.0.1:6379/0", "shop:sync");
 * ```
 *
 * - **Connections.** Two: a dedicated pub/sub connection that `SUBSCRIBE`s to [channel] in
 *   [start], and a command connection for `PUBLISH`. Lettuce re-establishes a lost connection in
 *   the background (backoff up to 2 s) and re-subscribes; once Redis confirms the new
 *   subscription, the transport calls [SyncListener.onReconnected] (never for the first
 *   subscription), and messages flow again. Pub/sub delivers at most once: what is published
 *   while a transport is disconnected never reaches it, hence `onReconnected`.
 * - **Delivery.** [SyncListener.onMessage] is called on a Lettuce I/O thread, one call at a time
 *   and in the order Redis delivers (messages from one publisher arrive in publication order).
 *   The listener must return quickly; an exception it throws is logged and dropped.
 * - **Timeouts.** Connecting, subscribing and publishing each fail after `timeout` (default 2 s);
 *   [publish] while the connection is down fails at once instead of queueing. Both throw
 *   [dev.stackquery.storage.StorageUnavailableException].
 * - **Background work.** When [start] cannot subscribe, the transport keeps trying in one
 *   coroutine (backoff from 100 ms up to 5 s) on its `coroutineContext` (default
 *   [Dispatchers.Default]; see the [create] overloads that take a context or an executor). Pass the
 *   client's context to keep it on the client's dispatcher, or a test's `StandardTestDispatcher`
 *   to run the backoff in virtual time. Lettuce's own I/O threads are not affected.
 *
 * Thread-safe. [close] unsubscribes (by closing the connections), stops the client's threads and
 * delivers nothing more.
 */
public class RedisSyncTransport private constructor(
    uri: String,
    /** The Redis pub/sub channel this transport subscribes and publishes to. */
    public val channel: String,
    timeout: Duration,
    context: CoroutineContext,
) : SyncTransport {
    init {
        require(channel.isNotEmpty()) { "channel must not be empty" }
    }

    private val connector = RedisConnector(uri, timeout, timeout)
    private val publisher = connector.commandConnection()
    private val subscriber = connector.pubSubConnection(Subscriber())
    private val started = AtomicBoolean()
    private val scope = CoroutineScope(context.minusKey(Job) + SupervisorJob() + CoroutineName("RedisSyncTransport"))

    @Volatile
    private var listener: SyncListener? = null

    /** How many times Redis has confirmed the subscription to [channel]. */
    private val confirmations = AtomicInteger()

    /** [start] failed, so even the first confirmed subscription is a reconnection for the listener. */
    @Volatile
    private var startFailed = false

    private val deliveryLock = Any()

    /**
     * Subscribes to [channel] and returns once Redis has confirmed the subscription; also starts
     * opening the publishing connection. See [SyncTransport.start].
     *
     * @throws dev.stackquery.storage.StorageUnavailableException when Redis cannot be reached within
     *   the timeout: the transport keeps trying in the background (backoff from 100 ms up to 5 s)
     *   and calls [SyncListener.onReconnected] once it is subscribed.
     * @throws IllegalStateException when called a second time.
     */
    override suspend fun start(listener: SyncListener) {
        check(started.compareAndSet(false, true)) { "start was already called: one transport serves one client" }
        this.listener = listener
        publisher.openInBackground()
        try {
            subscribe()
        } catch (e: Exception) {
            if (e is CancellationException) currentCoroutineContext().ensureActive()
            // Order matters against Subscriber.subscribed: a confirmation that arrives from now on
            // is announced as a reconnection; one that arrived already means we are subscribed.
            startFailed = true
            if (confirmations.get() > 0) return
            scope.launch { subscribeUntilConfirmed() }
            throw connector.failure("SUBSCRIBE $channel", e)
        }
    }

    /**
     * Publishes [message] on [channel]. See [SyncTransport.publish].
     *
     * @throws dev.stackquery.storage.StorageUnavailableException when Redis cannot be reached (at once
     *   while the connection is down, else after the timeout) or the transport is closed.
     */
    override suspend fun publish(message: String) {
        try {
            publisher.get().async().publish(channel, message).await()
        } catch (e: Exception) {
            if (e is CancellationException) currentCoroutineContext().ensureActive()
            throw connector.failure("PUBLISH $channel", e)
        }
    }

    /**
     * Closes both connections (Redis drops the subscription) and stops the client's threads, waiting
     * up to a few seconds for them; no listener call starts after it returns. Idempotent. Do not
     * call it from a [SyncListener] callback (that runs on a thread it stops).
     */
    override fun close() {
        scope.cancel()
        listener = null
        connector.close()
    }

    override fun toString(): String = "RedisSyncTransport(${connector.target}, channel=$channel)"

    private suspend fun subscribe() {
        subscriber.get().async().subscribe(channel).await()
    }

    private suspend fun subscribeUntilConfirmed() {
        var wait = 100.milliseconds
        while (confirmations.get() == 0) {
            delay(wait)
            wait = (wait * 2).coerceAtMost(5.seconds)
            try {
                subscribe()
                return
            } catch (e: Exception) {
                if (e is CancellationException) throw e
                log.debug("{}: subscribing failed, trying again in {}", this, wait, e)
            }
        }
    }

    private inline fun deliver(what: String, action: (SyncListener) -> Unit) {
        synchronized(deliveryLock) {
            val target = listener ?: return
            try {
                action(target)
            } catch (e: Exception) {
                log.warn("{}: SyncListener.{} threw; ignored", this, what, e)
            }
        }
    }

    private inner class Subscriber : RedisPubSubAdapter<String, String>() {
        override fun message(channel: String, message: String) {
            if (channel == this@RedisSyncTransport.channel) deliver("onMessage") { it.onMessage(message) }
        }

        override fun subscribed(channel: String, count: Long) {
            if (channel != this@RedisSyncTransport.channel) return
            val first = confirmations.getAndIncrement() == 0
            if (!first || startFailed) {
                log.info("{}: subscribed again after a lost connection", this@RedisSyncTransport)
                deliver("onReconnected") { it.onReconnected() }
            }
        }
    }

    public companion object {
        private val log = LoggerFactory.getLogger(RedisSyncTransport::class.java)

        /** The default channel: `"stackquery:sync"`. */
        public const val DEFAULT_CHANNEL: String = "stackquery:sync"

        /** The default timeout for connecting, subscribing and publishing: 2 seconds. */
        @JvmSynthetic
        public val DEFAULT_TIMEOUT: Duration = 2.seconds

        /**
         * A transport on the Redis server at [uri] (`redis://[password@]host[:port][/database]`)
         * and [channel], with the default timeout of 2 seconds. Opens no connection until
         * [start] or [publish].
         *
         * @throws IllegalArgumentException when [uri] is not a Redis URI.
         */
        @JvmStatic
        @JvmOverloads
        public fun create(uri: String, channel: String = DEFAULT_CHANNEL): RedisSyncTransport =
            RedisSyncTransport(uri, channel, DEFAULT_TIMEOUT, Dispatchers.Default)

        /**
         * As [create], waiting at most [timeout] for connecting, subscribing and each publish.
         *
         * @throws IllegalArgumentException when [uri] is not a Redis URI or [timeout] is not
         *   positive and finite.
         */
        @JvmSynthetic
        public fun create(uri: String, channel: String, timeout: Duration): RedisSyncTransport =
            create(uri, channel, timeout, Dispatchers.Default)

        /**
         * As [create] with a [timeout], running the transport's background work (re-subscribing
         * after a failed [start]) in [coroutineContext] instead of [Dispatchers.Default]: the
         * client's `QueryClientConfig.coroutineContext`, or a test's `StandardTestDispatcher`. A
         * [Job] in it is ignored (the transport lives until [close]).
         *
         * ```kotlin
         * val transport = RedisSyncTransport.create(uri, "shop:sync", RedisSyncTransport.DEFAULT_TIMEOUT, config.coroutineContext)
         * ```
         *
         * @throws IllegalArgumentException when [uri] is not a Redis URI, [timeout] is not
         *   positive and finite, or [coroutineContext] has an unconfined dispatcher.
         */
        @JvmSynthetic
        public fun create(
            uri: String,
            channel: String,
            timeout: Duration,
            coroutineContext: CoroutineContext,
        ): RedisSyncTransport = RedisSyncTransport(
            uri,
            channel,
            requirePositiveFinite(timeout, "timeout"),
            requireDispatching(
                coroutineContext,
                "coroutineContext",
                "run the re-subscribing loop on a Lettuce I/O thread",
            ),
        )

        /** [create] with a `java.time.Duration` [timeout], for Java. */
        @JvmStatic
        public fun create(uri: String, channel: String, timeout: java.time.Duration): RedisSyncTransport =
            create(uri, channel, timeout.toKotlinDuration())

        /**
         * [create] with a `java.time.Duration` [timeout] and the [executor] the background work runs
         * on (converted with `asCoroutineDispatcher()`; the transport never shuts it down), for Java.
         */
        @JvmStatic
        public fun create(
            uri: String,
            channel: String,
            timeout: java.time.Duration,
            executor: Executor,
        ): RedisSyncTransport = create(uri, channel, timeout.toKotlinDuration(), executor.asCoroutineDispatcher())
    }
}
