package dev.stackquery.sync

import dev.stackquery.storage.StorageUnavailableException
import java.util.concurrent.CopyOnWriteArrayList

/**
 * A hand-written broadcast channel for tests: every transport it makes receives what any of them
 * publishes (itself included, as Redis pub/sub does). A transport can be [Transport.disconnect]ed:
 * it then misses messages and fails to publish, until [Transport.reconnect] tells its listener.
 */
class InMemorySyncHub {
    private val transports = CopyOnWriteArrayList<Transport>()

    /** Every message published, in order. */
    val published: MutableList<String> = CopyOnWriteArrayList()

    fun transport(): Transport = Transport()

    inner class Transport : SyncTransport {
        @Volatile
        private var listener: SyncListener? = null

        @Volatile
        var connected: Boolean = true
            private set

        @Volatile
        var closed: Boolean = false
            private set

        override suspend fun start(listener: SyncListener) {
            this.listener = listener
            transports += this
        }

        override suspend fun publish(message: String) {
            if (!connected) throw StorageUnavailableException("disconnected")
            published += message
            for (transport in transports) if (transport.connected) transport.listener?.onMessage(message)
        }

        fun disconnect() {
            connected = false
        }

        fun reconnect() {
            connected = true
            listener?.onReconnected()
        }

        override fun close() {
            closed = true
            transports -= this
        }
    }
}
