package dev.stackquery.sync

/**
 * Receives what a [SyncTransport] delivers. Calls come from the transport's threads, one at a
 * time; implementations return quickly and never throw.
 */
public interface SyncListener {
    /** A message published on the channel (possibly by this transport itself). */
    public fun onMessage(message: String)

    /** The subscription was lost and is restored: messages published in between may be missing. */
    public fun onReconnected()
}
