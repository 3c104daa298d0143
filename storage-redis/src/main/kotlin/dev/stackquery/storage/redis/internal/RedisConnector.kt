package dev.stackquery.storage.redis.internal

import dev.stackquery.storage.StorageUnavailableException
import io.lettuce.core.ClientOptions
import io.lettuce.core.RedisClient
import io.lettuce.core.RedisURI
import io.lettuce.core.SocketOptions
import io.lettuce.core.TimeoutOptions
import io.lettuce.core.api.StatefulRedisConnection
import io.lettuce.core.codec.StringCodec
import io.lettuce.core.pubsub.RedisPubSubListener
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection
import io.lettuce.core.resource.ClientResources
import io.lettuce.core.resource.DefaultClientResources
import io.lettuce.core.resource.Delay
import io.lettuce.core.resource.ExtendedKeepAliveSupport
import org.slf4j.LoggerFactory
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicBoolean
import kotlin.time.Duration
import kotlin.time.toJavaDuration

/**
 * One Lettuce [RedisClient] (with its own event loops) for one URI, configured so that a dead or
 * unreachable Redis fails fast instead of queueing: commands time out after [commandTimeout],
 * connecting after [connectTimeout], commands issued while disconnected are rejected at once
 * (`DisconnectedBehavior.REJECT_COMMANDS`), and a lost connection is re-established in the
 * background (exponential backoff from 10 ms up to [MAX_RECONNECT_DELAY]), re-subscribing pub/sub
 * channels. Connections are opened lazily through [LazyConnection]s. Thread-safe.
 */
internal class RedisConnector(
    uri: String,
    val commandTimeout: Duration,
    connectTimeout: Duration,
) : AutoCloseable {
    private val redisUri: RedisURI = parse(uri).apply { timeout = commandTimeout.toJavaDuration() }

    /** Where the connection goes, for messages: host, port and database, never credentials. */
    val target: String = "redis://${redisUri.host ?: redisUri.socket}:${redisUri.port}/${redisUri.database}"

    /** The longest wait for a connection: the TCP connect plus the handshake's round trips. */
    val connectBound: Duration = connectTimeout + commandTimeout * 2

    private val resources: ClientResources =
        DefaultClientResources.builder()
            .reconnectDelay(Delay.exponential(MIN_RECONNECT_DELAY, MAX_RECONNECT_DELAY, 2, TimeUnit.MILLISECONDS))
            .build()

    private val client: RedisClient = RedisClient.create(resources, redisUri).apply {
        options = ClientOptions.builder()
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(TimeoutOptions.enabled(commandTimeout.toJavaDuration()))
            .socketOptions(socketOptions(connectTimeout))
            .build()
    }

    private val closed = AtomicBoolean()

    val isClosed: Boolean get() = closed.get()

    /** A lazily opened command connection. */
    fun commandConnection(): LazyConnection<StatefulRedisConnection<String, String>> =
        LazyConnection(this) { client.connectAsync(StringCodec.UTF8, redisUri) }

    /** A lazily opened pub/sub connection that reports to [listener] from the moment it is open. */
    fun pubSubConnection(
        listener: RedisPubSubListener<String, String>,
    ): LazyConnection<StatefulRedisPubSubConnection<String, String>> = LazyConnection(this) {
        client.connectPubSubAsync(StringCodec.UTF8, redisUri).thenApply { it.apply { addListener(listener) } }
    }

    fun closedException(): StorageUnavailableException =
        StorageUnavailableException("The Redis client for $target is closed")

    /**
     * Closes every connection and stops the client's threads, waiting up to a few seconds for them.
     * Idempotent. Must not be called from a Lettuce I/O thread (a pub/sub callback).
     */
    override fun close() {
        if (!closed.compareAndSet(false, true)) return
        try {
            client.shutdown(java.time.Duration.ZERO, SHUTDOWN_TIMEOUT)
        } catch (e: Exception) {
            log.warn("Closing the Redis client for {} failed", target, e)
        }
        try {
            resources.shutdown(0, SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .get(SHUTDOWN_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS)
        } catch (e: InterruptedException) {
            Thread.currentThread().interrupt()
        } catch (e: Exception) {
            log.warn("Stopping the Redis client threads for {} failed", target, e)
        }
    }

    private companion object {
        val log = LoggerFactory.getLogger(RedisConnector::class.java)
        val MIN_RECONNECT_DELAY: java.time.Duration = java.time.Duration.ofMillis(10)
        val MAX_RECONNECT_DELAY: java.time.Duration = java.time.Duration.ofSeconds(2)
        val SHUTDOWN_TIMEOUT: java.time.Duration = java.time.Duration.ofSeconds(2)

        /**
         * TCP keepalive, with short probes where the platform allows (a silently dead peer is
         * noticed in about 30 s instead of hours; this matters for the idle pub/sub connection).
         */
        fun socketOptions(connectTimeout: Duration): SocketOptions {
            val socket = SocketOptions.builder().connectTimeout(connectTimeout.toJavaDuration())
            if (ExtendedKeepAliveSupport.isSupported()) {
                socket.keepAlive(
                    SocketOptions.KeepAliveOptions.builder().enable()
                        .idle(java.time.Duration.ofSeconds(15)).interval(java.time.Duration.ofSeconds(5)).count(3)
                        .build(),
                )
            } else {
                socket.keepAlive(true)
            }
            return socket.build()
        }

        fun parse(uri: String): RedisURI = try {
            RedisURI.create(uri)
        } catch (e: IllegalArgumentException) {
            throw IllegalArgumentException("Not a Redis URI (e.g. redis://127.0.0.1:6379/0): ${e.message}", e)
        }
    }
}
