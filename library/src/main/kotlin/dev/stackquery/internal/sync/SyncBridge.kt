package dev.stackquery.internal.sync

import dev.stackquery.internal.retry.RetrySchedule
import dev.stackquery.internal.retry.retrying
import dev.stackquery.sync.SyncListener
import dev.stackquery.sync.SyncTransport
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.launch
import kotlinx.coroutines.withTimeoutOrNull
import org.slf4j.LoggerFactory
import java.util.UUID

/**
 * Connects a client to a [SyncTransport]: publishes what it does to shared data and applies, in
 * order, what other instances publish.
 *
 * Messages are [SyncMessage]s written by [SyncMessageCodec]; those from this bridge's own [origin]
 * are ignored. Outgoing messages wait in a bounded, ordered queue and are retried until sent (with a
 * backoff, and at once when the transport reconnects); past [MAX_OUTBOX] unsent messages they are
 * replaced by one "invalidate everything", so nothing is lost silently. A reconnection of the
 * subscription, or an inbox overflow (past [MAX_INBOX] messages waiting), makes the client
 * invalidate everything it holds ([onGap]) once it has applied the messages received before.
 */
internal class SyncBridge(
    private val transport: SyncTransport,
    private val scope: CoroutineScope,
    private val apply: suspend (SyncMessage) -> Unit,
    private val onGap: suspend () -> Unit,
    /** Where this client's L2 write queue stands now (see [dev.stackquery.internal.persistence.L2Tier.mark]); 0 without a storage. */
    private val writeMark: () -> Long = { 0L },
    /** Waits (bounded) until the L2 writes queued up to a mark were sent, so a message never overtakes them. */
    private val awaitWrites: suspend (Long) -> Unit = {},
) : SyncListener {
    val origin: String = UUID.randomUUID().toString()
    private val log = LoggerFactory.getLogger(SyncBridge::class.java)

    /** Messages and [Gap]s, in arrival order. Unlimited, but holds at most [MAX_INBOX] messages and a gap after them. */
    private val inbox = Channel<Any>(Channel.UNLIMITED)
    private val lock = Any()
    private var inboxMessages = 0 // guarded by lock: messages queued in inbox, not yet taken
    private var trailingGap: Gap? = null // guarded by lock: the gap last queued, while nothing was queued after it

    /** Messages to send, each with the write-queue mark it must not overtake. */
    private val outbox = ArrayDeque<Pair<String, Long>>() // guarded by lock
    private val wakePublisher = Channel<Unit>(Channel.CONFLATED)

    fun start() {
        scope.launch {
            try {
                transport.start(this@SyncBridge)
            } catch (e: CancellationException) {
                throw e
            } catch (e: Exception) {
                log.warn("StackQuery sync: could not subscribe yet ({}); the transport keeps trying", e.toString())
            }
        }
        scope.launch {
            for (item in inbox) {
                synchronized(lock) {
                    if (item !is Gap) {
                        inboxMessages--
                    } else if (trailingGap === item) {
                        trailingGap = null
                    }
                }
                try {
                    if (item is Gap) onGap() else apply(item as SyncMessage)
                } catch (e: CancellationException) {
                    throw e
                } catch (e: Exception) {
                    log.warn("StackQuery sync: applying {} failed", item, e)
                }
            }
        }
        scope.launch { publishLoop() }
    }

    /** Queues [message] for the other instances. */
    fun publish(message: SyncMessage) {
        val text = SyncMessageCodec.encode(origin, message)
        val mark = writeMark()
        synchronized(lock) {
            if (outbox.size >= MAX_OUTBOX) {
                log.warn(
                    "StackQuery sync: {} messages could not be sent; replaced by one invalidation of everything",
                    outbox.size,
                )
                outbox.clear()
                outbox.addLast(SyncMessageCodec.encode(origin, SyncMessage.INVALIDATE_ALL) to mark)
            } else {
                outbox.addLast(text to mark)
            }
        }
        wakePublisher.trySend(Unit)
    }

    private suspend fun publishLoop() {
        for (signal in wakePublisher) {
            while (true) {
                val next = synchronized(lock) { outbox.firstOrNull() } ?: break
                retrying(
                    publishSchedule,
                    failure = { if (it is CancellationException || it !is Exception) throw it else it },
                    onRetry = { failures, e ->
                        log.warn(
                            "StackQuery sync: publishing failed ({}); retrying in {} ms",
                            e.toString(),
                            publishSchedule.nextDelayMillis(failures, e),
                        )
                    },
                    giveUp = { _, e -> throw e }, // never: the schedule retries for ever
                    sleep = { withTimeoutOrNull(it) { wakePublisher.receive() } },
                ) {
                    awaitWrites(next.second)
                    transport.publish(next.first)
                }
                synchronized(lock) { if (outbox.firstOrNull() === next) outbox.removeFirst() }
            }
        }
    }

    override fun onMessage(message: String) {
        val received = try {
            SyncMessageCodec.decode(message)
        } catch (e: Exception) {
            log.warn("StackQuery sync: ignored a malformed message: {}", message.take(200))
            return
        }
        if (received == null || received.origin == origin) return
        synchronized(lock) {
            if (inboxMessages >= MAX_INBOX) {
                queueGapLocked() // the message is lost: invalidate everything once those before it are applied
            } else {
                inboxMessages++
                trailingGap = null
                inbox.trySend(received.message)
            }
        }
    }

    override fun onReconnected() {
        synchronized(lock) { queueGapLocked() }
        wakePublisher.trySend(Unit)
    }

    /** Queues a gap behind everything queued, unless one is already last (it covers this loss too). */
    private fun queueGapLocked() {
        if (trailingGap != null) return
        val gap = Gap()
        trailingGap = gap
        inbox.trySend(gap)
    }

    /** A point in the inbox after which the client invalidates everything (messages were missed). */
    private class Gap

    fun close() {
        inbox.close()
        wakePublisher.close()
        try {
            transport.close()
        } catch (e: Exception) {
            log.warn("StackQuery sync: closing the transport failed", e)
        }
    }

    companion object {
        const val MAX_OUTBOX: Int = 1000

        /** The most received messages waiting to be applied; past it they are replaced by a gap. */
        const val MAX_INBOX: Int = 10_000
        private val publishSchedule = RetrySchedule.backoff(baseMillis = 100, maxMillis = 5_000)
    }
}
