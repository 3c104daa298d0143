package dev.stackquery.storage.exposed

import dev.stackquery.storage.StorageUnavailableException
import dev.stackquery.testing.RecordingSyncListener
import dev.stackquery.testing.TcpProxy
import io.kotest.assertions.nondeterministic.eventually
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.assertions.throwables.shouldThrowExactly
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.comparables.shouldBeLessThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext
import java.sql.DriverManager
import kotlin.time.Duration.Companion.seconds
import kotlin.time.TimeSource

/** PostgresSyncTransport against the local PostgreSQL, each test on a channel of its own. */
class PostgresSyncTransportSpec : FunSpec({
    val opened = mutableListOf<AutoCloseable>()
    lateinit var channel: String

    fun transport(
        url: String = POSTGRES_URL,
        on: String = channel,
        table: String = PostgresSyncTransport.DEFAULT_MESSAGE_TABLE,
    ): PostgresSyncTransport = PostgresSyncTransport.builder(url).channel(on).messageTable(table)
        .timeout(java.time.Duration.ofSeconds(1)).build().also { opened += it }

    fun proxy(): TcpProxy = TcpProxy("127.0.0.1", 5432).also { opened += it }

    suspend fun sql(statement: String) = withContext(Dispatchers.IO) {
        DriverManager.getConnection(POSTGRES_URL).use { it.createStatement().use { s -> s.execute(statement) } }
    }

    suspend fun countRows(table: String): Long = withContext(Dispatchers.IO) {
        DriverManager.getConnection(POSTGRES_URL).use { connection ->
            connection.createStatement().use { s ->
                s.executeQuery("SELECT count(*) FROM $table").use { it.next(); it.getLong(1) }
            }
        }
    }

    beforeTest { channel = uniqueChannel() }

    afterTest {
        opened.reversed().forEach { it.close() }
        opened.clear()
    }

    postgresTest("two transports on one channel deliver each other's messages and their own, in publication order") {
        val a = transport()
        val b = transport()
        val aReceived = RecordingSyncListener()
        val bReceived = RecordingSyncListener()
        a.start(aReceived)
        b.start(bReceived)

        repeat(50) { a.publish("a-$it") }
        repeat(50) { b.publish("b-$it") }

        val expected = (0 until 50).map { "message:a-$it" } + (0 until 50).map { "message:b-$it" }
        aReceived.next(100) shouldBe expected
        bReceived.next(100) shouldBe expected
        aReceived.pending().shouldBeEmpty()
    }

    postgresTest("a transport on another channel receives nothing of this one; the channel's case is kept") {
        val a = transport()
        val other = transport(on = channel.uppercase())
        val otherReceived = RecordingSyncListener()
        a.start(RecordingSyncListener())
        other.start(otherReceived)

        a.publish("not for other")
        other.publish("own")

        otherReceived.next() shouldBe listOf("message:own")
        otherReceived.pending().shouldBeEmpty()
    }

    postgresTest("a message over the 8,000-byte payload limit arrives whole, through the message table, in order") {
        val table = "sq_msgs_" + channel.takeLast(12)
        val a = transport(table = table)
        val bReceived = RecordingSyncListener()
        a.start(RecordingSyncListener())
        transport(table = table).start(bReceived)
        try {
            val large = "é".repeat(4_000) // 8,000 bytes in UTF-8: one byte too many with the marker
            val inline = "x".repeat(7_998) // the largest that fits
            a.publish("before")
            a.publish(large)
            a.publish(inline)
            a.publish("after")
            val received = bReceived.next(4)
            received.map { it.length } shouldBe listOf(14, 4_008, 8_006, 13)
            (received == listOf("message:before", "message:$large", "message:$inline", "message:after")) shouldBe true
            countRows(table) shouldBe 1 // only the large one went through the table
        } finally {
            sql("DROP TABLE IF EXISTS $table")
        }
    }

    postgresTest("a stored message that can no longer be read is reported as a gap, and later messages flow") {
        val table = "sq_msgs_" + channel.takeLast(12)
        val a = transport(table = table)
        val bReceived = RecordingSyncListener()
        transport(table = table).start(bReceived)
        a.start(RecordingSyncListener())
        try {
            a.publish("y".repeat(9_000)) // creates the table
            (bReceived.next().single() == "message:" + "y".repeat(9_000)) shouldBe true
            sql("SELECT pg_notify('$channel', '#123456789')") // a reference to a row that is not there
            a.publish("after")
            bReceived.next(2) shouldBe listOf("reconnected", "message:after")
        } finally {
            sql("DROP TABLE IF EXISTS $table")
        }
    }

    postgresTest(
        "after a cut and restore the transport listens again, calls onReconnected once, and later messages flow",
    ) {
        val proxy = proxy()
        val a = transport(postgresUrlThrough(proxy.port))
        val b = transport()
        val aReceived = RecordingSyncListener()
        a.start(aReceived)
        b.start(RecordingSyncListener())
        b.publish("before")
        aReceived.next() shouldBe listOf("message:before") // no onReconnected for the first LISTEN

        proxy.cut()
        b.publish("during") // a is not listening: it never gets this one
        proxy.restore()

        aReceived.next(within = 15.seconds) shouldBe listOf("reconnected")
        b.publish("after")
        aReceived.next() shouldBe listOf("message:after")
        aReceived.pending().shouldBeEmpty()
    }

    postgresTest(
        "publish during a cut fails with StorageUnavailableException within the timeout, and works after restore",
    ) {
        val proxy = proxy()
        val a = transport(postgresUrlThrough(proxy.port))
        val bReceived = RecordingSyncListener()
        transport().start(bReceived)
        a.start(RecordingSyncListener())
        a.publish("first")
        bReceived.next() shouldBe listOf("message:first")

        proxy.cut()
        val started = TimeSource.Monotonic.markNow()
        val error = shouldThrowExactly<StorageUnavailableException> { a.publish("lost") }
        started.elapsedNow() shouldBeLessThan 3.seconds
        error.message shouldContain "NOTIFY"

        proxy.restore()
        eventually(10.seconds) { a.publish("again") }
        bReceived.next() shouldBe listOf("message:again")
        bReceived.pending().shouldBeEmpty()
    }

    postgresTest(
        "start while PostgreSQL is unreachable fails as unavailable, keeps trying, and calls onReconnected once listening",
    ) {
        val proxy = proxy()
        proxy.cut()
        val a = transport(postgresUrlThrough(proxy.port))
        val aReceived = RecordingSyncListener()
        shouldThrow<StorageUnavailableException> { a.start(aReceived) }.message shouldContain "LISTEN"

        proxy.restore()
        aReceived.next(within = 15.seconds) shouldBe listOf("reconnected")
        transport().publish("hello")
        aReceived.next() shouldBe listOf("message:hello")
    }

    postgresTest("a burst of 10,000 messages arrives whole and in order") {
        val a = transport()
        val bReceived = RecordingSyncListener()
        transport().start(bReceived)
        a.start(RecordingSyncListener())

        repeat(10_000) { a.publish("m-$it") }

        bReceived.next(10_000, within = 60.seconds) shouldBe (0 until 10_000).map { "message:m-$it" }
        bReceived.pending().shouldBeEmpty()
    }

    postgresTest("after close nothing more is delivered, the listening thread ends, and start cannot be called twice") {
        val a = transport()
        val aReceived = RecordingSyncListener()
        a.start(aReceived)
        shouldThrow<IllegalStateException> { a.start(RecordingSyncListener()) }
        a.close()
        a.close() // idempotent
        transport().publish("after close")
        eventually(5.seconds) {
            Thread.getAllStackTraces().keys.filter { it.name == "PostgresSyncTransport($channel)" }.shouldBeEmpty()
        }
        aReceived.pending().shouldBeEmpty()
        shouldThrow<StorageUnavailableException> { a.publish("closed") }
    }

    test("a channel longer than a PostgreSQL identifier or a URL of another database is rejected at once") {
        shouldThrow<IllegalArgumentException> { PostgresSyncTransport.create(POSTGRES_URL, "c".repeat(64)) }
        shouldThrow<IllegalArgumentException> { PostgresSyncTransport.create("jdbc:h2:mem:x") }
        shouldThrow<IllegalArgumentException> { PostgresSyncTransport.builder(POSTGRES_URL).messageTable("x; DROP") }
    }
})
