package dev.stackquery.storage.redis

import dev.stackquery.storage.StorageEntry
import dev.stackquery.storage.StorageException
import dev.stackquery.storage.StorageUnavailableException
import dev.stackquery.testing.RecordingSyncListener
import io.kotest.assertions.throwables.shouldThrowExactly
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.collections.shouldContainExactly
import io.kotest.matchers.collections.shouldNotBeEmpty
import io.kotest.matchers.longs.shouldBeInRange
import io.kotest.matchers.maps.shouldContainExactly
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import kotlin.time.Duration
import kotlin.time.Duration.Companion.days
import kotlin.time.Duration.Companion.microseconds
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds

/** RedisStorage beyond the shared contract: key encoding, namespaces, TTLs, batches, errors. */
class RedisStorageSpec : FunSpec({
    extension(RequiresRedis)

    val namespaces = mutableListOf<String>()
    val opened = mutableListOf<RedisStorage>()

    fun storage(options: RedisStorageOptions): RedisStorage {
        namespaces += options.namespace
        return RedisStorage.create(TestRedis.URI, options).also { opened += it }
    }

    fun storage(namespace: String = TestRedis.uniqueNamespace()): RedisStorage =
        storage(RedisStorageOptions(namespace = namespace))

    afterTest {
        opened.forEach { it.close() }
        opened.clear()
        RedisStorage.create(TestRedis.URI, RedisStorageOptions(namespace = "")).use { cleaner ->
            namespaces.forEach { cleaner.deleteByPrefix(it) }
        }
        TestRedis.raw().use { raw -> namespaces.forEach { raw.keys(it).shouldBeEmpty() } }
        namespaces.clear()
    }

    test(
        "keys with *, ?, [, ], \\, spaces and unicode round-trip, and deleteByPrefix removes exactly the keys starting with such a prefix",
    ) {
        val storage = storage()
        val prefix = "a*b?c[d]e\\f g ü🔑:"
        val doomed = listOf(prefix, "${prefix}1", "$prefix*", "$prefix\\", "$prefix[x]")
        val lookalikes = listOf(
            "aXbYc[d]e\\f g ü🔑:1", // * and ? as wildcards
            "a*b?cde\\f g ü🔑:1", // [d] as a character class
            "a*b?c[d]ef g ü🔑:1", // \ as an escape
            "a*b?c[d]e\\f g u🔑:1", // another letter
            "a*b?c[d]e\\f gü🔑:1", // a missing space
            "a*b?c[d]e\\f g ü🔑", // the prefix less its last character
            "A*b?c[d]e\\f g ü🔑:1", // case
        )
        (doomed + lookalikes).forEachIndexed { i, key -> storage.set(key, "value-$i", null) }
        (doomed + lookalikes).forEachIndexed { i, key -> storage.get(key) shouldBe "value-$i" }
        TestRedis.raw().use { raw ->
            raw.keys(storage.options.namespace) shouldContainExactly
                (doomed + lookalikes).map { storage.options.namespace + it }.sorted()
        }

        storage.deleteByPrefix(prefix) shouldBe doomed.size.toLong()

        doomed.forEach { storage.get(it) shouldBe null }
        lookalikes.forEach { key -> storage.get(key) shouldBe "value-${doomed.size + lookalikes.indexOf(key)}" }
    }

    test(
        "every key is stored under the namespace; deleteByPrefix(\"\") removes that namespace only, even one with glob metacharacters",
    ) {
        val base = TestRedis.uniqueNamespace()
        val globbed = storage("$base[ab]*:")
        val lookalike = storage("${base}a:") // what "[ab]*:" matches as a pattern
        globbed.set("k1", "g1", null)
        globbed.set("k2", "g2", null)
        lookalike.set("k1", "l1", null)
        TestRedis.raw().use { raw ->
            raw.commands.get("$base[ab]*:k1") shouldBe "g1"
            raw.commands.get("${base}a:k1") shouldBe "l1"
        }

        globbed.deleteByPrefix("") shouldBe 2L

        globbed.get("k1") shouldBe null
        lookalike.get("k1") shouldBe "l1"
    }

    test("two storages with separate connections see each other's writes, batches and removals") {
        val namespace = TestRedis.uniqueNamespace()
        val a = storage(namespace)
        val b = RedisStorage.create(TestRedis.URI, RedisStorageOptions(namespace = namespace)).also { opened += it }

        a.set("k", "from a", null)
        b.get("k") shouldBe "from a"
        b.setAll(listOf(StorageEntry("x", "1", null), StorageEntry("y", "2", 1.days)))
        a.getAll(listOf("k", "x", "y", "z")) shouldContainExactly mapOf("k" to "from a", "x" to "1", "y" to "2")
        a.delete("x")
        b.get("x") shouldBe null
        b.deleteByPrefix("") shouldBe 2L
        a.getAll(listOf("k", "y")) shouldBe emptyMap()
    }

    test("TTLs: PX in whole milliseconds rounded up, no expiry for null or infinite, removal for zero or negative") {
        val storage = storage()
        val ns = storage.options.namespace
        storage.set("short", "s", 250.milliseconds)
        storage.set("subsecond", "s", 800.milliseconds)
        storage.set("tiny", "t", 300.microseconds) // rounded up to PX 1, not PX 0 (which Redis rejects)
        storage.set("rounded", "r", 10.seconds + 400.microseconds)
        storage.set("forever", "f", null)
        storage.set("infinite", "i", Duration.INFINITE)
        storage.set("year", "y", 365.days)
        storage.set("gone", "g", null)
        storage.set("gone", "g2", (-1).seconds)
        storage.set("zero", "z", Duration.ZERO)

        TestRedis.raw().use { raw ->
            raw.commands.pttl("${ns}subsecond") shouldBeInRange 1L..800L
            raw.commands.pttl("${ns}rounded") shouldBeInRange 9_000L..10_001L
            raw.commands.pttl("${ns}forever") shouldBe -1L
            raw.commands.pttl("${ns}infinite") shouldBe -1L
            raw.commands.pttl("${ns}year") shouldBeInRange
                (365.days - 10.seconds).inWholeMilliseconds..365.days.inWholeMilliseconds
            raw.commands.exists("${ns}gone", "${ns}zero") shouldBe 0L
        }
        retryUntilSuccess(5.seconds) { check(storage.getAll(listOf("short", "subsecond", "tiny")).isEmpty()) }
        storage.getAll(listOf("forever", "infinite", "year")) shouldContainExactly
            mapOf("forever" to "f", "infinite" to "i", "year" to "y")
    }

    test(
        "setAll applies each entry's TTL, removes a key whose entry has a zero TTL, and the last entry of a key wins",
    ) {
        val storage = storage()
        val ns = storage.options.namespace
        storage.set("removed", "old", null)
        storage.setAll(
            listOf(
                StorageEntry("forever", "f", null),
                StorageEntry("short", "s", 800.milliseconds),
                StorageEntry("removed", "new", Duration.ZERO),
                StorageEntry("twice", "first", 1.seconds),
                StorageEntry("infinite", "i", Duration.INFINITE),
                StorageEntry("twice", "last", null),
            ),
        )
        TestRedis.raw().use { raw ->
            raw.commands.pttl("${ns}forever") shouldBe -1L
            raw.commands.pttl("${ns}short") shouldBeInRange 1L..800L
            raw.commands.exists("${ns}removed") shouldBe 0L
            raw.commands.pttl("${ns}twice") shouldBe -1L
            raw.commands.pttl("${ns}infinite") shouldBe -1L
        }
        storage.getAll(listOf("forever", "twice", "infinite", "removed")) shouldContainExactly
            mapOf("forever" to "f", "twice" to "last", "infinite" to "i")
    }

    test("setAll loads its script again when Redis has forgotten it (SCRIPT FLUSH)") {
        val storage = storage()
        storage.setAll(listOf(StorageEntry("a", "1", null)))
        TestRedis.raw().use { raw -> raw.commands.scriptFlush() shouldBe "OK" }
        storage.setAll(listOf(StorageEntry("b", "2", null)))
        storage.getAll(listOf("a", "b")) shouldContainExactly mapOf("a" to "1", "b" to "2")
    }

    test("getAll reads more keys than one MGET holds, once per distinct key") {
        val storage = storage()
        val keys = (0 until 2_500).map { "k$it" }
        storage.setAll(keys.map { StorageEntry(it, "v-$it", null) })
        val read = storage.getAll(keys + keys.take(10) + "missing")
        read.size shouldBe 2_500
        keys.forEach { read[it] shouldBe "v-$it" }
    }

    test("deleteByPrefix walks every SCAN page and removes each page, however small scanCount is") {
        val storage = storage(RedisStorageOptions(namespace = TestRedis.uniqueNamespace(), scanCount = 7))
        storage.setAll(
            (0 until 100).map { StorageEntry("doomed:$it", "x", null) } +
                (0 until 20).map { StorageEntry("kept:$it", "y", null) },
        )
        storage.deleteByPrefix("doomed:") shouldBe 100L
        storage.deleteByPrefix("doomed:") shouldBe 0L
        storage.getAll((0 until 20).map { "kept:$it" }).size shouldBe 20
        storage.getAll((0 until 100).map { "doomed:$it" }) shouldBe emptyMap()
    }

    test("a Redis error that is not about the connection is a StorageException, and a miss when silent") {
        val namespace = TestRedis.uniqueNamespace()
        val storage = storage(namespace)
        val silent = storage(RedisStorageOptions(namespace = namespace, silent = true))
        TestRedis.raw().use { raw -> raw.commands.lpush("${namespace}list", "item") }

        val error = shouldThrowExactly<StorageException> { storage.get("list") }
        error.message shouldContain "WRONGTYPE"
        silent.get("list") shouldBe null
        silent.getAll(listOf("list")) shouldBe emptyMap()
    }

    test("after close, every operation fails as unavailable (a miss when silent), and close is idempotent") {
        val storage = storage()
        val silent = storage(RedisStorageOptions(namespace = TestRedis.uniqueNamespace(), silent = true))
        storage.set("k", "v", null)
        storage.close()
        storage.close()
        silent.close()

        shouldThrowExactly<StorageUnavailableException> { storage.get("k") }.message shouldContain "closed"
        shouldThrowExactly<StorageUnavailableException> { storage.set("k", "v", null) }
        shouldThrowExactly<StorageUnavailableException> { storage.setAll(listOf(StorageEntry("k", "v", null))) }
        shouldThrowExactly<StorageUnavailableException> { storage.deleteByPrefix("") }
        silent.get("k") shouldBe null
        silent.deleteByPrefix("") shouldBe 0L
        silent.set("k", "v", null)
    }

    test("empty batches and empty key lists make no round trip and work even when closed") {
        val storage = storage()
        storage.close()
        storage.getAll(emptyList()) shouldBe emptyMap()
        storage.setAll(emptyList())
    }

    test("close stops every thread that a storage and a transport started") {
        fun lettuceThreads(): Set<String> = Thread.getAllStackTraces().keys.filter {
            it.isAlive &&
                it.name.startsWith("lettuce-")
        }.map { it.name }.toSet()
        val before = lettuceThreads()
        val storage = RedisStorage.create(TestRedis.URI, RedisStorageOptions(namespace = TestRedis.uniqueNamespace()))
        val transport = RedisSyncTransport.create(TestRedis.URI, TestRedis.uniqueChannel())
        storage.set("k", "v", null)
        storage.delete("k")
        transport.start(RecordingSyncListener())
        transport.publish("m")
        (lettuceThreads() - before).shouldNotBeEmpty()

        storage.close()
        transport.close()

        retryUntilSuccess(5.seconds) {
            check((lettuceThreads() - before).isEmpty()) { "alive: ${lettuceThreads() - before}" }
        }
    }
})
