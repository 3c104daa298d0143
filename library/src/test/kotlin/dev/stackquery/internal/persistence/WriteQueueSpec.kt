package dev.stackquery.internal.persistence

import dev.stackquery.storage.QueryCodec
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.shouldBe
import io.kotest.matchers.types.shouldBeSameInstanceAs
import kotlinx.coroutines.launch
import kotlinx.coroutines.test.advanceTimeBy
import kotlinx.coroutines.test.currentTime
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import kotlinx.serialization.builtins.serializer

private val ints = QueryCodec.kotlinx(Int.serializer())

/** The storage key of the one-segment key [name], as [StorageKeys] writes it under the namespace `sq:`. */
private fun k(name: String) = "sq:[\"$name\"]"

/** The storage key of `[name, id]`. */
private fun k(name: String, id: Int) = "sq:[\"$name\",$id]"

/** The prefix a deletion of everything under `[name]` uses (see [StorageKeys.underPrefix]). */
private fun under(name: String) = "sq:[\"$name\","

private fun put(key: String, value: Int) = WriteOp.Put(key, value, dataUpdatedAt = 1, invalidated = false, ints, null)

private fun del(key: String) = WriteOp.Delete(key)

private fun prefix(prefix: String) = WriteOp.DeletePrefix(prefix)

/** An operation as compact text: `put <key>=<value>`, `del <key>` or `prefix <prefix>`. */
private fun WriteOp.text(): String = when (this) {
    is WriteOp.Put<*> -> "put $storageKey=$data"
    is WriteOp.Delete -> "del $storageKey"
    is WriteOp.DeletePrefix -> "prefix $prefix"
}

/** A queue whose drops are recorded as `count/overflow`. */
private class Recorded(maxPending: Int = 100, batchSize: Int = 10) {
    val dropped = mutableListOf<String>()
    val queue = WriteQueue(maxPending, batchSize) { count, overflow -> dropped += "$count/$overflow" }

    /** Takes and finishes every batch, returning them as text. */
    fun drain(): List<List<String>> = generateSequence {
        queue.take().takeIf { it.isNotEmpty() }?.also { queue.done(it) }?.map { it.text() }
    }.toList()

    fun latest(key: String): String? = queue.latest(key).first?.text()
}

class WriteQueueSpec : FunSpec({
    test("puts to one key coalesce: the latest wins and moves to the back") {
        val r = Recorded()
        r.queue.enqueue(put(k("a"), 1))
        r.queue.enqueue(put(k("b"), 1))
        r.queue.enqueue(put(k("a"), 2))
        r.queue.size shouldBe 2
        r.latest(k("a")) shouldBe "put ${k("a")}=2"
        r.drain() shouldBe listOf(listOf("put ${k("b")}=1", "put ${k("a")}=2"))
        r.dropped.shouldBeEmpty() // coalescing is not dropping
    }

    test("a delete after a put of the key supersedes it, and a put after a delete supersedes that") {
        val r = Recorded()
        r.queue.enqueue(put(k("a"), 1))
        r.queue.enqueue(del(k("a")))
        r.queue.size shouldBe 1
        r.latest(k("a")) shouldBe "del ${k("a")}"
        r.queue.enqueue(put(k("b"), 1))
        r.queue.enqueue(del(k("b")))
        r.queue.enqueue(put(k("b"), 2))
        r.drain() shouldBe listOf(listOf("del ${k("a")}"), listOf("put ${k("b")}=2"))
    }

    test("a prefix deletion drops the queued operations it covers, and decides what they read as") {
        val r = Recorded()
        r.queue.enqueue(put(k("user", 1), 1))
        r.queue.enqueue(put(k("users"), 2)) // not under ["user"
        r.queue.enqueue(del(k("user", 2)))
        r.queue.enqueue(put(k("user"), 3)) // the exact key: not under the prefix
        r.queue.enqueue(prefix(under("user")))
        r.queue.size shouldBe 3
        r.latest(k("user", 1)) shouldBe "prefix ${under("user")}"
        r.latest(k("user", 2)) shouldBe "prefix ${under("user")}"
        r.latest(k("users")) shouldBe "put ${k("users")}=2"
        r.latest(k("user")) shouldBe "put ${k("user")}=3"
        r.latest(k("post", 1)) shouldBe null
        r.queue.enqueue(put(k("user", 1), 10)) // newer than the deletion
        r.latest(k("user", 1)) shouldBe "put ${k("user", 1)}=10"
        r.drain() shouldBe listOf(
            listOf("put ${k("users")}=2", "put ${k("user")}=3"),
            listOf("prefix ${under("user")}"),
            listOf("put ${k("user", 1)}=10"),
        )
    }

    test("take hands out runs of writes up to the batch size, and each deletion alone, in queue order") {
        val r = Recorded(batchSize = 2)
        r.queue.enqueueAll(
            listOf(
                put(k("p1"), 1),
                put(k("p2"), 2),
                put(k("p3"), 3),
                del(k("d")),
                put(k("p4"), 4),
                prefix(under("x")),
                prefix(under("y")),
                put(k("p5"), 5),
            ),
        )
        r.drain() shouldBe listOf(
            listOf("put ${k("p1")}=1", "put ${k("p2")}=2"),
            listOf("put ${k("p3")}=3"),
            listOf("del ${k("d")}"),
            listOf("put ${k("p4")}=4"),
            listOf("prefix ${under("x")}"),
            listOf("prefix ${under("y")}"),
            listOf("put ${k("p5")}=5"),
        )
        r.queue.take().shouldBeEmpty()
    }

    test("a taken batch is in progress until done: counted in size and seen by reads") {
        val r = Recorded()
        r.queue.enqueue(put(k("a"), 1))
        r.queue.enqueue(prefix(under("u")))
        val batch = r.queue.take()
        batch.map { it.text() } shouldBe listOf("put ${k("a")}=1")
        r.queue.size shouldBe 2
        r.latest(k("a")) shouldBe "put ${k("a")}=1" // from the batch being sent
        r.queue.enqueue(put(k("a"), 2))
        r.latest(k("a")) shouldBe "put ${k("a")}=2" // a queued one is newer than the one being sent
        r.queue.done(batch)
        r.queue.size shouldBe 2
        val deletion = r.queue.take()
        r.latest(k("u", 1)) shouldBe "prefix ${under("u")}" // an in-progress prefix deletion covers it too
        r.queue.done(deletion)
        r.latest(k("u", 1)) shouldBe null
    }

    test("latest answers with the mark it was looked up at") {
        val r = Recorded()
        r.queue.latest(k("a")) shouldBe (null to 0L)
        r.queue.enqueue(put(k("a"), 1))
        r.queue.enqueue(put(k("b"), 1))
        val (op, mark) = r.queue.latest(k("a"))
        op!!.text() shouldBe "put ${k("a")}=1"
        mark shouldBe 2
        mark shouldBe r.queue.mark()
    }

    test("notSuperseded keeps only the taken operations no newer queued one replaces") {
        val r = Recorded()
        r.queue.enqueueAll(
            listOf(
                put(k("a"), 1),
                put(k("b"), 1),
                put(k("u", 1), 1),
                put(k("c"), 1),
                put(k("e"), 1),
            ),
        )
        val writes = r.queue.take()
        r.queue.enqueue(put(k("a"), 2)) // replaces a
        r.queue.enqueue(del(k("b"))) // replaces b
        r.queue.enqueue(prefix(under("u"))) // replaces ["u",1]
        r.queue.notSuperseded(writes).map { it.text() } shouldBe listOf("put ${k("c")}=1", "put ${k("e")}=1")
        r.queue.done(writes)
        r.drain()

        r.queue.enqueue(del(k("d")))
        val deletion = r.queue.take()
        r.queue.notSuperseded(deletion).map { it.text() } shouldBe listOf("del ${k("d")}")
        r.queue.enqueue(put(k("d"), 5))
        r.queue.notSuperseded(deletion).shouldBeEmpty() // a newer put of the key replaces the deletion
        r.queue.done(deletion)
        r.drain()

        r.queue.enqueue(prefix(under("v")))
        val prefixDeletion = r.queue.take()
        r.queue.enqueue(prefix(under("v"))) // the same prefix again
        r.queue.notSuperseded(prefixDeletion) shouldBe prefixDeletion // a prefix deletion is always retried
    }

    test("enqueueUnlessChangedSince queues when nothing touched the key since the mark") {
        val r = Recorded()
        val mark = r.queue.mark()
        r.queue.enqueue(put(k("other"), 1)) // queued, not sent: the key is untouched
        r.queue.enqueueUnlessChangedSince(k("a"), mark, put(k("a"), 1))
        r.latest(k("a")) shouldBe "put ${k("a")}=1"
    }

    test("enqueueUnlessChangedSince skips when the key has a queued or in-progress operation") {
        val r = Recorded()
        val mark = r.queue.mark()
        r.queue.enqueue(del(k("a")))
        r.queue.enqueueUnlessChangedSince(k("a"), mark, put(k("a"), 1))
        r.latest(k("a")) shouldBe "del ${k("a")}"
        r.queue.take() // now in progress
        r.queue.enqueueUnlessChangedSince(k("a"), mark, put(k("a"), 1))
        r.queue.size shouldBe 1

        r.queue.enqueue(prefix(under("u")))
        r.queue.enqueueUnlessChangedSince(k("u", 1), mark, put(k("u", 1), 1))
        r.latest(k("u", 1)) shouldBe "prefix ${under("u")}"
    }

    test("enqueueUnlessChangedSince skips when any operation was sent since the mark") {
        val r = Recorded()
        r.queue.enqueue(put(k("before"), 1))
        val mark = r.queue.mark()
        r.drain() // "before" was queued before the mark: its completion is not "since"
        r.queue.enqueueUnlessChangedSince(k("a"), mark, put(k("a"), 1))
        r.latest(k("a")) shouldBe "put ${k("a")}=1"
        r.drain()

        val later = r.queue.mark()
        r.queue.enqueue(put(k("other"), 1))
        r.drain() // sent after the mark: it may have replaced the key (a prefix deletion, say)
        r.queue.enqueueUnlessChangedSince(k("b"), later, put(k("b"), 1))
        r.latest(k("b")) shouldBe null
        r.queue.size shouldBe 0
    }

    test("past the maximum the oldest write is dropped and counted, never a deletion while a write waits") {
        val r = Recorded(maxPending = 3)
        r.queue.enqueue(del(k("x")))
        r.queue.enqueue(put(k("a"), 1))
        r.queue.enqueue(put(k("b"), 1))
        r.dropped.shouldBeEmpty()
        r.queue.enqueue(put(k("c"), 1))
        r.dropped shouldBe listOf("1/true")
        r.queue.size shouldBe 3
        r.latest(k("a")) shouldBe null
        r.queue.enqueue(put(k("d"), 1))
        r.dropped shouldBe listOf("1/true", "1/true")
        r.drain() shouldBe listOf(listOf("del ${k("x")}"), listOf("put ${k("c")}=1", "put ${k("d")}=1"))
    }

    test("with only deletions waiting, the oldest one is dropped; the newest operation never is") {
        val r = Recorded(maxPending = 2)
        r.queue.enqueue(del(k("x")))
        r.queue.enqueue(prefix(under("p")))
        r.queue.enqueue(del(k("y")))
        r.dropped shouldBe listOf("1/true")
        r.latest(k("x")) shouldBe null
        r.queue.enqueue(put(k("a"), 1)) // the newest: the oldest deletion goes instead
        r.dropped shouldBe listOf("1/true", "1/true")
        r.latest(k("p", 1)) shouldBe null // the dropped prefix deletion no longer hides anything
        r.drain() shouldBe listOf(listOf("del ${k("y")}"), listOf("put ${k("a")}=1"))
    }

    test("the operations being sent count towards the maximum; a single waiting one is never dropped") {
        val r = Recorded(maxPending = 2, batchSize = 2)
        r.queue.enqueue(put(k("a"), 1))
        r.queue.enqueue(put(k("b"), 1))
        val batch = r.queue.take() // two in progress
        r.queue.enqueue(put(k("c"), 1)) // 3 > 2, but it is the only one waiting
        r.dropped.shouldBeEmpty()
        r.queue.enqueue(put(k("d"), 1))
        r.dropped shouldBe listOf("1/true")
        r.queue.size shouldBe 3
        r.queue.done(batch)
        r.drain() shouldBe listOf(listOf("put ${k("d")}=1"))
    }

    test("flush waits for what was queued before it; awaitWritten gives up after its timeout") {
        runTest {
            val r = Recorded(batchSize = 1)
            r.queue.enqueue(put(k("a"), 1))
            r.queue.enqueue(put(k("b"), 1))
            var flushed = false
            launch {
                r.queue.flush()
                flushed = true
            }
            runCurrent()
            r.queue.enqueue(put(k("after"), 1)) // queued after the flush: not waited for
            val first = r.queue.take()
            r.queue.done(first)
            runCurrent()
            flushed shouldBe false
            r.queue.done(r.queue.take())
            runCurrent()
            flushed shouldBe true

            val mark = r.queue.mark()
            r.queue.awaitWritten(mark, timeoutMillis = 1_000)
            currentTime shouldBe 1_000 // "after" is still queued
            r.queue.done(r.queue.take())
            r.queue.awaitWritten(mark, timeoutMillis = 1_000)
            currentTime shouldBe 1_000 // at once
        }
    }

    test("every operation queued signals the wake-up channel, once (conflated); so does close") {
        val r = Recorded()
        r.queue.wake.tryReceive().isSuccess shouldBe false
        r.queue.enqueue(put(k("a"), 1))
        r.queue.enqueueAll(listOf(put(k("b"), 1), put(k("c"), 1)))
        r.queue.wake.tryReceive().isSuccess shouldBe true
        r.queue.wake.tryReceive().isSuccess shouldBe false
        r.queue.close()
        r.queue.wake.tryReceive().isSuccess shouldBe true
    }

    test("once closed, new operations are dropped and counted; what waits is still taken; then it is drained") {
        val r = Recorded()
        r.queue.enqueue(put(k("a"), 1))
        r.queue.isDrained shouldBe false
        r.queue.close()
        r.queue.isDrained shouldBe false // "a" still waits
        r.queue.enqueue(put(k("b"), 1))
        r.queue.enqueueAll(listOf(del(k("c")), prefix(under("d"))))
        r.dropped shouldBe listOf("1/false", "1/false", "1/false")
        r.drain() shouldBe listOf(listOf("put ${k("a")}=1"))
        r.queue.isDrained shouldBe true
    }

    test("an open queue is never drained, even empty") {
        Recorded().queue.isDrained shouldBe false
    }

    test("stopped drops and counts what waits, refuses new operations, and releases every waiter") {
        runTest {
            val r = Recorded()
            r.queue.enqueue(put(k("a"), 1))
            r.queue.enqueue(put(k("b"), 1))
            r.queue.enqueue(prefix(under("p")))
            val waiters = mutableListOf<String>()
            launch {
                r.queue.flush()
                waiters += "flush@$currentTime"
            }
            launch {
                r.queue.awaitWritten(r.queue.mark(), timeoutMillis = 60_000)
                waiters += "awaitWritten@$currentTime"
            }
            runCurrent()
            advanceTimeBy(500)
            waiters.shouldBeEmpty()
            r.queue.stopped()
            runCurrent()
            waiters shouldBe listOf("flush@500", "awaitWritten@500")
            r.dropped shouldBe listOf("3/false")
            r.queue.size shouldBe 0
            r.queue.isDrained shouldBe true
            r.latest(k("p", 1)) shouldBe null
            r.queue.enqueue(put(k("c"), 1))
            r.dropped shouldBe listOf("3/false", "1/false")
            r.queue.flush() // returns at once once stopped
            r.queue.enqueueUnlessChangedSince(k("d"), r.queue.mark(), put(k("d"), 1)) // skipped: stopped
            r.dropped shouldBe listOf("3/false", "1/false")
        }
    }

    test("stopped with nothing waiting counts nothing") {
        val r = Recorded()
        r.queue.stopped()
        r.dropped.shouldBeEmpty()
    }

    test("a re-queued prefix deletion replaces the older one of the same prefix") {
        val r = Recorded()
        val first = prefix(under("u"))
        r.queue.enqueue(first)
        r.queue.enqueue(put(k("u", 1), 1))
        val second = prefix(under("u"))
        r.queue.enqueue(second)
        r.queue.size shouldBe 1
        r.queue.latest(k("u", 1)).first shouldBeSameInstanceAs second
    }
})
