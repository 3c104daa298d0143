package dev.stackquery.sync

/**
 * A broadcast channel between the [dev.stackquery.QueryClient]s of several processes that share
 * one L2 storage, set with `QueryClientConfig(sync = …)`. A client publishes on it what it does to
 * shared data (invalidations, data it set, removals) and applies what the others publish to its
 * own memory, so no instance keeps serving data another one invalidated. Redis pub/sub is one
 * transport (`stackquery-storage-redis`); others (PostgreSQL `LISTEN/NOTIFY`) can be added.
 *
 * The transport only moves opaque text: the client encodes, filters out its own messages and
 * decides what a message means. One transport serves one client: [start] is called once.
 * Implementations must be thread-safe.
 */
public interface SyncTransport : AutoCloseable {
    /**
     * Subscribes to the channel and returns once subscribed. From then on, every message another
     * transport [publish]es on the same channel is passed to [SyncListener.onMessage] (messages
     * from one publisher in publication order; this transport's own messages may be delivered
     * too). When the subscription is lost and later restored, the transport calls
     * [SyncListener.onReconnected] once it is back, since messages published meanwhile were missed.
     *
     * @throws dev.stackquery.storage.StorageUnavailableException when the channel cannot be
     *   reached now; the transport keeps trying in the background and calls
     *   [SyncListener.onReconnected] when it succeeds.
     */
    public suspend fun start(listener: SyncListener)

    /**
     * Sends [message] to every transport subscribed to the channel.
     *
     * @throws dev.stackquery.storage.StorageUnavailableException when it could not be sent.
     */
    public suspend fun publish(message: String)

    /** Unsubscribes and releases the connection. Idempotent. */
    override fun close()
}
