package dev.stackquery.internal

import dev.stackquery.QueryKey
import dev.stackquery.sync.SyncListener
import dev.stackquery.sync.SyncTransport
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.withTimeoutOrNull
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.booleanOrNull
import kotlinx.serialization.json.buildJsonObject
import kotlinx.serialization.json.put
import org.slf4j.LoggerFactory
import java.util.UUID

/**
 * Connects a client to a [SyncTransport]: publishes what it does to shared data and applies, in
 * order, what other instances publish.
 *
 * A message is `{"v":1,"origin":…,"op":"invalidate"|"set"|"remove"|"reset","key":[…],"exact":…}`,
 * plus `"entry"` (the persisted envelope) for `set`. Messages from this bridge's own [origin] are
 * ignored. Outgoing messages wait in a bounded, ordered queue and are retried until sent (with a
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
    /** Where this client's L2 write queue stands now (see [Persistence.mark]); 0 without a storage. */
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
                    if (item !is Gap) inboxMessages-- else if (trailingGap === item) trailingGap = null
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

    /** Queues a message for the other instances. */
    fun publish(op: String, key: QueryKey, exact: Boolean, entry: String? = null) {
        val text = message(op, key, exact, entry)
        val mark = writeMark()
        synchronized(lock) {
            if (outbox.size >= MAX_OUTBOX) {
                log.warn("StackQuery sync: {} messages could not be sent; replaced by one invalidation of everything", outbox.size)
                outbox.clear()
                outbox.addLast(message("invalidate", QueryKey.EMPTY, exact = false, entry = null) to mark)
            } else {
                outbox.addLast(text to mark)
            }
        }
        wakePublisher.trySend(Unit)
    }

    /** The text of a message from this bridge (see the class KDoc for the format). */
    private fun message(op: String, key: QueryKey, exact: Boolean, entry: String?): String = buildJsonObject {
        put("v", 1)
        put("origin", origin)
        put("op", op)
        put("key", Json.parseToJsonElement(key.toString()))
        put("exact", exact)
        if (entry != null) put("entry", entry)
    }.toString()

    private suspend fun publishLoop() {
        var backoff = MIN_BACKOFF_MILLIS
        for (signal in wakePublisher) {
            while (true) {
                val next = synchronized(lock) { outbox.firstOrNull() } ?: break
                try {
                    awaitWrites(next.second)
                    transport.publish(next.first)
                    synchronized(lock) { if (outbox.firstOrNull() === next) outbox.removeFirst() }
                    backoff = MIN_BACKOFF_MILLIS
                } catch (e: CancellationException) {
                    throw e
                } catch (e: Exception) {
                    log.warn("StackQuery sync: publishing failed ({}); retrying in {} ms", e.toString(), backoff)
                    withTimeoutOrNull(backoff) { wakePublisher.receive() }
                    backoff = (backoff * 2).coerceAtMost(MAX_BACKOFF_MILLIS)
                }
            }
        }
    }

    override fun onMessage(message: String) {
        val parsed = try {
            SyncMessage.parse(message)
        } catch (e: Exception) {
            log.warn("StackQuery sync: ignored a malformed message: {}", message.take(200))
            return
        }
        if (parsed == null || parsed.origin == origin) return
        synchronized(lock) {
            if (inboxMessages >= MAX_INBOX) {
                queueGapLocked() // the message is lost: invalidate everything once those before it are applied
            } else {
                inboxMessages++
                trailingGap = null
                inbox.trySend(parsed)
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
        private const val MIN_BACKOFF_MILLIS = 100L
        private const val MAX_BACKOFF_MILLIS = 5_000L
    }
}

/** One message another instance published. */
internal class SyncMessage(val origin: String, val op: String, val key: QueryKey, val exact: Boolean, val entry: String?) {
    override fun toString(): String = "SyncMessage($op $key exact=$exact from $origin)"

    companion object {
        /** The message [text] holds; `null` for another version. @throws Exception when it is malformed. */
        fun parse(text: String): SyncMessage? {
            val json = Json.parseToJsonElement(text) as JsonObject
            if ((json["v"] as JsonPrimitive).content != "1") return null
            val segments = (json["key"] as JsonArray).map<_, Any> { element ->
                val primitive = element as JsonPrimitive
                when {
                    primitive.isString -> primitive.content
                    primitive.booleanOrNull != null -> primitive.booleanOrNull!!
                    primitive.content.any { it == '.' || it == 'e' || it == 'E' } -> primitive.content.toDouble()
                    else -> primitive.content.toLong()
                }
            }
            return SyncMessage(
                origin = (json["origin"] as JsonPrimitive).content,
                op = (json["op"] as JsonPrimitive).content,
                key = QueryKey.of(*segments.toTypedArray()),
                exact = (json["exact"] as JsonPrimitive).booleanOrNull ?: false,
                entry = (json["entry"] as? JsonPrimitive)?.content,
            )
        }
    }
}
