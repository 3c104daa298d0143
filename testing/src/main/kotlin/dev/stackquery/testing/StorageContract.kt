package dev.stackquery.testing

import dev.stackquery.storage.BatchStorage
import dev.stackquery.storage.PrefixDeletableStorage
import dev.stackquery.storage.PurgeableStorage
import dev.stackquery.storage.StorageBackend
import dev.stackquery.storage.StorageEntry
import io.kotest.core.spec.style.FunSpec
import io.kotest.core.test.TestScope
import io.kotest.matchers.collections.shouldBeIn
import io.kotest.matchers.comparables.shouldBeGreaterThanOrEqualTo
import io.kotest.matchers.longs.shouldBeGreaterThanOrEqual
import io.kotest.matchers.maps.shouldContainExactly
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlin.time.Duration
import kotlin.time.Duration.Companion.days
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds
import kotlin.time.TimeMark
import kotlin.time.TimeSource

/**
 * The contract every [StorageBackend] must meet, as a kotest spec: subclass it with a
 * [StorageFixture] that makes your storage, and every case runs against it.
 *
 * ```kotlin
 * class MyStorageContractSpec : StorageContract("MyStorage", object : StorageFixture {
 *     override suspend fun create(clock: ManualClock): StorageBackend = MyStorage(clock)
 * })
 * ```
 *
 * It checks reads of missing keys, overwrite, delete, TTL expiry and TTL replacement (a zero TTL
 * removes), keys and values kept verbatim (quotes, SQL and shell metacharacters, case, Unicode
 * without normalisation or collation folding, a 1 MiB value), and concurrent writers. The
 * optional capabilities ([BatchStorage], [PrefixDeletableStorage], [PurgeableStorage]) are
 * checked when the storage implements them; otherwise those cases pass without checking anything.
 * Each case is named `"<name>: <behaviour>"`, gets a fresh storage from the fixture and a fresh
 * [ManualClock], and releases the storage afterwards; the cases are skipped when
 * [StorageFixture.enabled] says the store cannot be reached here. The concurrency case writes from
 * [Dispatchers.Default] threads, so the storage must be thread-safe.
 *
 * @param name the storage's name, prefixed to every test name.
 * @param fixture makes and releases the storage of each test.
 */
public abstract class StorageContract(name: String, fixture: StorageFixture) : FunSpec({
    /** A contract test, skipped when the fixture says the store cannot be tested here. */
    fun contractTest(testName: String, block: suspend TestScope.() -> Unit) {
        test(testName).config(enabledOrReasonIf = { fixture.enabled() }, test = block)
    }

    suspend fun withStorage(block: suspend (StorageBackend, ManualClock) -> Unit) {
        val clock = ManualClock()
        val storage = fixture.create(clock)
        try {
            block(storage, clock)
        } finally {
            fixture.release(storage)
        }
    }

    /**
     * The TTL the expiry tests use: 10 s on the manual clock; for a self-expiring store, [REAL_TIME_TTL]
     * (long enough that a loaded machine does not lose the entry before the first read, short
     * enough to wait for).
     */
    val ttl: Duration = if (fixture.clockDrivenExpiry) 10.seconds else REAL_TIME_TTL

    /**
     * Reads [key], written with [value] and [ttl] at [writtenAt] (a mark taken before the write): it
     * must hold [value]. On the manual clock no time passes; on a self-expiring store a miss is
     * accepted only once [ttl] has really passed (a stalled machine), so the check cannot flake.
     */
    suspend fun StorageBackend.shouldHoldUntilExpiry(key: String, value: String, writtenAt: TimeMark) {
        val read = get(key)
        if (read == null && !fixture.clockDrivenExpiry && writtenAt.elapsedNow() >= ttl) return
        read shouldBe value
    }

    /**
     * Lets [ttl] pass for [key] (written with [value] at [writtenAt]): on the manual clock, by
     * advancing it; on a self-expiring store, by reading until the entry is gone (at most [ttl] +
     * 10 s), checking that it held [value] until then and did not disappear before its TTL (less
     * [EXPIRY_TOLERANCE] for the store's clock).
     */
    suspend fun StorageBackend.letExpire(clock: ManualClock, key: String, value: String, writtenAt: TimeMark) {
        if (fixture.clockDrivenExpiry) {
            clock.advanceBy(ttl + 1.milliseconds)
            return
        }
        val deadline = writtenAt + ttl + 10.seconds
        while (true) {
            val read = get(key) ?: break
            read shouldBe value
            if (deadline.hasPassedNow()) throw AssertionError("$key did not expire within ${ttl + 10.seconds}")
            delay(20)
        }
        writtenAt.elapsedNow() shouldBeGreaterThanOrEqualTo ttl - EXPIRY_TOLERANCE
    }

    contractTest("$name: a key never written reads as missing") {
        withStorage { storage, _ -> storage.get("never-written") shouldBe null }
    }

    contractTest("$name: a value written reads back, and a second write replaces it") {
        withStorage { storage, _ ->
            storage.set("k", "v1", null)
            storage.get("k") shouldBe "v1"
            storage.set("k", "v2", null)
            storage.get("k") shouldBe "v2"
        }
    }

    contractTest("$name: delete removes the entry; deleting a missing key is a no-op") {
        withStorage { storage, _ ->
            storage.set("k", "v", null)
            storage.set("other", "o", null)
            storage.delete("k")
            storage.delete("k")
            storage.delete("never-written")
            storage.get("k") shouldBe null
            storage.get("other") shouldBe "o"
        }
    }

    contractTest("$name: an entry with a TTL is readable until it expires, then missing") {
        withStorage { storage, clock ->
            val writtenAt = TimeSource.Monotonic.markNow()
            storage.set("short", "s", ttl)
            storage.set("forever", "f", null)
            storage.set("long", "l", 30.days)
            storage.shouldHoldUntilExpiry("short", "s", writtenAt)
            storage.letExpire(clock, "short", "s", writtenAt)
            storage.get("short") shouldBe null
            storage.get("forever") shouldBe "f"
            storage.get("long") shouldBe "l"
        }
    }

    contractTest("$name: rewriting an entry replaces its TTL; a zero TTL removes it") {
        withStorage { storage, clock ->
            // "k" is written first with the short TTL, then "witness" with the same TTL, then "k" is
            // rewritten with a long one: once the witness has expired, "k" would be gone too had the
            // rewrite kept its first expiry. This holds on any clock and any machine speed.
            val writtenAt = TimeSource.Monotonic.markNow()
            storage.set("k", "v1", ttl)
            storage.set("witness", "w", ttl)
            storage.set("k", "v2", 30.days)
            storage.letExpire(clock, "witness", "w", writtenAt)
            storage.get("k") shouldBe "v2"

            // On the manual clock also: a rewrite with the same TTL counts it from the rewrite.
            if (fixture.clockDrivenExpiry) {
                storage.set("same", "v1", 10.seconds)
                clock.advanceBy(6.seconds)
                storage.set("same", "v2", 10.seconds)
                clock.advanceBy(6.seconds)
                storage.get("same") shouldBe "v2"
            }

            storage.set("k", "v3", Duration.ZERO)
            storage.get("k") shouldBe null
        }
    }

    contractTest(
        "$name: keys with quotes, slashes, dots, SQL and shell metacharacters, case and unicode are distinct and exact",
    ) {
        withStorage { storage, _ ->
            val keys = NASTY_KEYS
            keys.forEachIndexed { i, key -> storage.set(key, "value-$i", null) }
            keys.forEachIndexed { i, key -> storage.get(key) shouldBe "value-$i" }
            storage.get("stackquery:[\"user\",4") shouldBe null
            storage.delete(keys[0])
            storage.get(keys[0]) shouldBe null
            storage.get(keys[1]) shouldBe "value-1"
        }
    }

    contractTest("$name: values are stored verbatim, including unicode, quotes, SQL, empty and 1 MiB values") {
        withStorage { storage, _ ->
            val large = buildString {
                while (length <
                    1 shl 20
                ) {
                    append("{\"n\":").append(length).append(",\"s\":\"ü€𝄞\"}")
                }
            }
            val values = listOf(
                "",
                " ",
                "{\"v\":1,\"data\":\"Grüße, 世界 🌍\"}",
                "'); DROP TABLE stackquery_cache; --",
                "line1\nline2\r\n\ttab\u0000nul?",
                "\\\\\"quoted\"\\",
                large,
            )
            values.forEachIndexed { i, value -> storage.set("value-$i", value, null) }
            values.forEachIndexed { i, value -> storage.get("value-$i") shouldBe value }
        }
    }

    contractTest("$name: concurrent writers on distinct keys lose nothing; one key ends with one of the writes") {
        withStorage { storage, _ ->
            coroutineScope {
                repeat(8) { writer ->
                    launch(Dispatchers.Default) {
                        repeat(25) { i ->
                            storage.set("w$writer-$i", "$writer/$i", null)
                            storage.set("shared", "writer-$writer", null)
                        }
                    }
                }
            }
            repeat(8) { writer -> repeat(25) { i -> storage.get("w$writer-$i") shouldBe "$writer/$i" } }
            storage.get("shared") shouldBeIn (0 until 8).map { "writer-$it" }
        }
    }

    contractTest(
        "$name (batch): setAll writes every entry with its own TTL; the last entry of a key wins; getAll omits missing keys",
    ) {
        withStorage { storage, clock ->
            if (storage !is BatchStorage) return@withStorage
            val writtenAt = TimeSource.Monotonic.markNow()
            val entries = (0 until 200).map { StorageEntry("batch-$it", "v$it", if (it % 2 == 0) null else 1.days) } +
                StorageEntry("batch-0", "last", null) + StorageEntry("expiring", "e", ttl)
            storage.setAll(entries)
            storage.setAll(emptyList())
            val read = storage.getAll((0 until 200).map { "batch-$it" } + "missing")
            read.size shouldBe 200
            read["batch-0"] shouldBe "last"
            read["batch-199"] shouldBe "v199"
            storage.shouldHoldUntilExpiry("expiring", "e", writtenAt)
            storage.letExpire(clock, "expiring", "e", writtenAt)
            storage.getAll(listOf("expiring", "batch-1")) shouldContainExactly mapOf("batch-1" to "v1")
            storage.getAll(emptyList()) shouldBe emptyMap()
        }
    }

    contractTest("$name (prefix delete): removes exactly the keys starting with the prefix, with no wildcards") {
        withStorage { storage, _ ->
            if (storage !is PrefixDeletableStorage) return@withStorage
            val doomed = listOf("p:a", "p:b", "p:a/c", "p:", "p:ü🔑")
            val kept = listOf("q:a", "P:a", "pp:a", "p", "xp:a")
            (doomed + kept).forEach { storage.set(it, it, null) }
            storage.deleteByPrefix("p:") shouldBeGreaterThanOrEqual doomed.size.toLong()
            doomed.forEach { storage.get(it) shouldBe null }
            kept.forEach { storage.get(it) shouldBe it }

            val literal = "x%_*?[]\\'\" "
            val literalKeys = listOf("${literal}1", literal)
            val lookalikes = listOf("xab*?[]\\'\" 1", "x%_*?[]\\'\"", "x%Z*?[]\\'\" 1", "X%_*?[]\\'\" 1")
            (literalKeys + lookalikes).forEach { storage.set(it, it, null) }
            storage.deleteByPrefix(literal) shouldBe 2L
            literalKeys.forEach { storage.get(it) shouldBe null }
            lookalikes.forEach { storage.get(it) shouldBe it }
        }
    }

    contractTest("$name (purge): purgeExpired removes the expired entries and counts them") {
        withStorage { storage, clock ->
            if (storage !is PurgeableStorage || !fixture.clockDrivenExpiry) return@withStorage
            storage.set("gone-1", "x", 1.seconds)
            storage.set("gone-2", "x", 2.seconds)
            storage.set("kept", "x", 1.days)
            storage.set("forever", "x", null)
            clock.advanceBy(3.seconds)
            storage.purgeExpired() shouldBe 2
            storage.purgeExpired() shouldBe 0
            storage.get("kept") shouldBe "x"
            storage.get("forever") shouldBe "x"
        }
    }
}) {
    public companion object {
        /** The TTL of the expiry tests on a self-expiring store (see [StorageFixture.clockDrivenExpiry]). */
        public val REAL_TIME_TTL: Duration = 1.seconds

        /** How much earlier than its TTL a self-expiring store may drop an entry (its clock is not ours). */
        public val EXPIRY_TOLERANCE: Duration = 50.milliseconds

        /** Keys a storage must keep distinct and exact. */
        public val NASTY_KEYS: List<String> = listOf(
            "stackquery:[\"user\",42]",
            "stackquery:[\"user\",4]",
            "stackquery:[\"a\\\"b\",\"c'd\"]",
            "../../etc/passwd",
            "..",
            ".",
            "a/b\\c:d",
            "'; DROP TABLE stackquery_cache; --",
            "\" OR \"1\"=\"1",
            "$(rm -rf /) `id` | & ; > < *",
            "%_ LIKE pattern",
            "*?[]{} glob",
            "with space and\ttab",
            "ключ-键-🔑",
            "Key",
            "key",
            "KEY",
            "key ", // distinct from "key": no PAD SPACE comparison (SQL VARCHAR collations)
            "caf\u00e9", // precomposed é
            "cafe\u0301", // e + combining acute: distinct from the above (no normalisation, no accent folding)
            "strasse",
            "stra\u00dfe", // ß: distinct from "ss" (no Unicode collation folding)
            "x".repeat(500),
        )
    }
}
