package dev.stackquery.testing

import dev.stackquery.storage.StorageUnavailableException
import dev.stackquery.sync.SyncListener
import dev.stackquery.sync.SyncTransport
import java.util.concurrent.CopyOnWriteArrayList

/**
 * A broadcast channel inside one JVM: the [SyncTransport]s it makes ([transport]) behave like
 * clients of one Redis pub/sub channel, so several `QueryClient`s in a test stay coherent as
 * separate processes would (`QueryClientConfig(sync = hub.transport())`, one transport per client).
 *
 * Delivery: [Transport.publish] hands the message, before it returns and on the publisher's
 * thread, to the listener of every transport that is started, connected and not closed — the
 * publisher itself included, as Redis does — in the order the transports were started. Messages
 * from one publisher therefore arrive in publication order. A transport can be cut off
 * ([Transport.disconnect]): it then misses what others publish and cannot publish itself, until
 * [Transport.reconnect] tells its listener that messages may have been lost.
 *
 * Thread-safe: any transport may publish, disconnect, reconnect or close from any thread.
 *
 * ```kotlin
 * val hub = InMemorySyncHub()
 * val a = QueryClient(QueryClientConfig(storage = shared, sync = hub.transport()))
 * val b = QueryClient(QueryClientConfig(storage = shared, sync = hub.transport()))
 * ```
 * ```java
 * InMemorySyncHub hub = new InMemorySyncHub();
 * InMemorySyncHub.Transport transport = hub.transport();
 * QueryClient client = new QueryClient(QueryClientConfig.builder().sync(transport).build());
 * ```
 */
public class InMemorySyncHub {
    private val transports = CopyOnWriteArrayList<Transport>()
    private val messages = CopyOnWriteArrayList<String>()

    /** Every message published through this hub so far, oldest first: a snapshot copy. */
    public val published: List<String> get() = messages.toList()

    /** A new transport on this hub, connected, not yet started. Give each client its own. */
    public fun transport(): Transport = Transport()

    override fun toString(): String = "InMemorySyncHub(transports=${transports.size}, published=${messages.size})"

    /** One client's end of an [InMemorySyncHub]; made by [InMemorySyncHub.transport]. */
    public inner class Transport internal constructor() : SyncTransport {
        @Volatile
        private var listener: SyncListener? = null

        /** False between [disconnect] and [reconnect]; true at first. Java: `isConnected()`. */
        @Volatile
        @get:JvmName("isConnected")
        public var connected: Boolean = true
            private set

        /** True once [close] was called. Java: `isClosed()`. */
        @Volatile
        @get:JvmName("isClosed")
        public var closed: Boolean = false
            private set

        /**
         * Joins the hub: from now on [listener] receives what any transport of the hub publishes.
         * Returns at once.
         *
         * @throws IllegalStateException when this transport was already started or is closed
         *   ([SyncTransport.start] is called once).
         */
        override suspend fun start(listener: SyncListener) {
            synchronized(this) {
                check(!closed) { "this transport is closed" }
                check(this.listener == null) { "start was already called on this transport" }
                this.listener = listener
            }
            transports += this
        }

        /**
         * Records [message] in [InMemorySyncHub.published], then delivers it to every started,
         * connected, open transport of the hub (this one included) before returning.
         *
         * @throws StorageUnavailableException while this transport is disconnected or after it is
         *   closed; nothing is recorded or delivered then.
         */
        override suspend fun publish(message: String) {
            if (closed) throw StorageUnavailableException("InMemorySyncHub transport is closed")
            if (!connected) throw StorageUnavailableException("InMemorySyncHub transport is disconnected")
            messages += message
            for (transport in transports) {
                if (transport.connected &&
                    !transport.closed
                ) {
                    transport.listener?.onMessage(message)
                }
            }
        }

        /** Cuts this transport off: it misses messages and fails to publish until [reconnect]. Idempotent. */
        public fun disconnect() {
            connected = false
        }

        /**
         * Restores a [disconnect]ed transport and calls its listener's [SyncListener.onReconnected]
         * (on the calling thread), as a real transport does after it resubscribes: messages
         * published meanwhile were missed. No-op when connected or closed.
         */
        public fun reconnect() {
            synchronized(this) {
                if (connected || closed) return
                connected = true
            }
            listener?.onReconnected()
        }

        /** Leaves the hub: this transport receives nothing more and can no longer publish. Idempotent. */
        override fun close() {
            closed = true
            transports -= this
        }

        override fun toString(): String = "InMemorySyncHub.Transport(connected=$connected, closed=$closed)"
    }
}
