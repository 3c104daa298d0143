package dev.stackquery.testing

import dev.stackquery.sync.SyncListener
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.withTimeout
import kotlin.time.Duration
import kotlin.time.Duration.Companion.seconds

/**
 * A [SyncListener] that records what it receives, in order, as `"message:<text>"` and
 * `"reconnected"`, for tests of a [dev.stackquery.sync.SyncTransport]; [failOn] makes [onMessage]
 * throw for that message (after recording nothing). Thread-safe.
 */
public class RecordingSyncListener @JvmOverloads constructor(private val failOn: String? = null) : SyncListener {
    private val events = Channel<String>(Channel.UNLIMITED)

    override fun onMessage(message: String) {
        if (message == failOn) throw IllegalStateException("listener failure for $message")
        events.trySend("message:$message")
    }

    override fun onReconnected() {
        events.trySend("reconnected")
    }

    /** The next [count] events, waiting at most [within] for them. */
    public suspend fun next(count: Int = 1, within: Duration = 10.seconds): List<String> =
        withTimeout(within) { List(count) { events.receive() } }

    /** What was recorded and not yet taken with [next]. */
    public fun pending(): List<String> = generateSequence { events.tryReceive().getOrNull() }.toList()
}
