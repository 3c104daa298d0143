package dev.stackquery.storage.exposed.internal

import dev.stackquery.storage.StorageUnavailableException
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.types.shouldBeSameInstanceAs
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.async
import kotlinx.coroutines.cancel
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.launch
import kotlinx.coroutines.test.runCurrent
import kotlinx.coroutines.test.runTest
import java.sql.SQLException
import java.sql.SQLTransientConnectionException
import kotlin.time.Duration.Companion.seconds

class GroupCommitWriterSpec : FunSpec({
    fun put(key: String) = WriteOp.Put(listOf(KeyWrite(key, "v", null, 0)))

    fun WriteOp.label(): String = when (this) {
        is WriteOp.Put -> writes.joinToString(",") { it.key }
        is WriteOp.DeletePrefix -> "prefix:$prefix"
        is WriteOp.Purge -> "purge"
    }

    test("writes queued while a transaction commits share the next transaction, in order") {
        runTest {
            val batches = mutableListOf<List<String>>()
            val gate = CompletableDeferred<Unit>()
            val writer = GroupCommitWriter(backgroundScope) { ops ->
                batches += ops.map { it.label() }
                if (batches.size == 1) gate.await()
                LongArray(ops.size) { 7L * (it + 1) }
            }
            val first = async { writer.submit(put("a")) }
            runCurrent()
            batches shouldBe listOf(listOf("a"))
            val rest = listOf(put("b"), WriteOp.DeletePrefix("p"), put("c"), WriteOp.Purge(0)).map { op ->
                async { writer.submit(op) }
            }
            runCurrent()
            gate.complete(Unit)
            runCurrent()
            batches shouldBe listOf(listOf("a"), listOf("b", "prefix:p", "c", "purge"))
            first.await() shouldBe 7L
            rest.map { it.await() } shouldBe listOf(7L, 14L, 21L, 28L)
        }
    }

    test("when a shared transaction fails, each write is retried alone and only the bad one fails") {
        runTest {
            val batches = mutableListOf<List<String>>()
            val gate = CompletableDeferred<Unit>()
            val poison = SQLException("value too long")
            val writer = GroupCommitWriter(backgroundScope) { ops ->
                batches += ops.map { it.label() }
                if (batches.size == 1) gate.await()
                if (ops.any { it.label() == "bad" }) throw poison
                LongArray(ops.size)
            }
            val blocker = async { writer.submit(put("first")) }
            runCurrent()
            val results = listOf("ok1", "bad", "ok2").map { key -> async { runCatching { writer.submit(put(key)) } } }
            runCurrent()
            gate.complete(Unit)
            runCurrent()
            blocker.await() shouldBe 0L
            batches shouldBe
                listOf(listOf("first"), listOf("ok1", "bad", "ok2"), listOf("ok1"), listOf("bad"), listOf("ok2"))
            results[0].await().getOrThrow() shouldBe 0L
            results[1].await().exceptionOrNull() shouldBeSameInstanceAs poison
            results[2].await().getOrThrow() shouldBe 0L
        }
    }

    test("an unreachable database fails the whole batch at once, without a retry per write") {
        runTest {
            var commits = 0
            val gate = CompletableDeferred<Unit>()
            val down = SQLTransientConnectionException("connection refused")
            val writer = GroupCommitWriter(backgroundScope) { ops ->
                commits++
                if (commits == 1) {
                    gate.await()
                    LongArray(ops.size)
                } else {
                    throw down
                }
            }
            val blocker = async { writer.submit(put("first")) }
            runCurrent()
            val results = listOf("a", "b", "c").map { key -> async { runCatching { writer.submit(put(key)) } } }
            runCurrent()
            gate.complete(Unit)
            runCurrent()
            blocker.await() shouldBe 0L
            commits shouldBe 2
            results.forEach { it.await().exceptionOrNull() shouldBeSameInstanceAs down }
        }
    }

    test("a caller cancelled while its write is queued withdraws the write") {
        runTest {
            val batches = mutableListOf<List<String>>()
            val gate = CompletableDeferred<Unit>()
            val writer = GroupCommitWriter(backgroundScope) { ops ->
                batches += ops.map { it.label() }
                if (batches.size == 1) gate.await()
                LongArray(ops.size)
            }
            launch { writer.submit(put("first")) }
            runCurrent()
            val withdrawn = launch { writer.submit(put("withdrawn")) }
            val kept = async { writer.submit(put("kept")) }
            runCurrent()
            withdrawn.cancelAndJoin()
            gate.complete(Unit)
            runCurrent()
            kept.await() shouldBe 0L
            batches shouldBe listOf(listOf("first"), listOf("kept"))
        }
    }

    test("close commits the queued writes, then later writes fail as unavailable") {
        val scope = CoroutineScope(SupervisorJob() + Dispatchers.Default)
        try {
            val committed = mutableListOf<String>()
            val gate = CompletableDeferred<Unit>()
            val writer = GroupCommitWriter(scope) { ops ->
                if (committed.isEmpty()) gate.await()
                synchronized(committed) { committed += ops.map { it.label() } }
                LongArray(ops.size)
            }
            // UNDISPATCHED: each write is queued before close() starts.
            val pending = listOf("a", "b", "c").map { key ->
                scope.async(start = CoroutineStart.UNDISPATCHED) { writer.submit(put(key)) }
            }
            val closing = scope.launch { writer.close(10.seconds) }
            gate.complete(Unit)
            closing.join()
            pending.forEach { it.await() shouldBe 0L }
            committed.sorted() shouldBe listOf("a", "b", "c")
            shouldThrow<StorageUnavailableException> { writer.submit(put("late")) }.message shouldBe
                "ExposedStorage is closed"
        } finally {
            scope.cancel()
        }
    }
})
