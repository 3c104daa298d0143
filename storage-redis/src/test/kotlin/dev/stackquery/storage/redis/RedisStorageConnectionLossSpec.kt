package dev.stackquery.storage.redis

import dev.stackquery.storage.StorageEntry
import dev.stackquery.storage.StorageUnavailableException
import dev.stackquery.testing.TcpProxy
import io.kotest.assertions.throwables.shouldThrowExactly
import io.kotest.assertions.withClue
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.collections.shouldBeEmpty
import io.kotest.matchers.comparables.shouldBeGreaterThanOrEqualTo
import io.kotest.matchers.comparables.shouldBeLessThan
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds

/** RedisStorage when the connection is cut, refused or unanswered, through a [TcpProxy]. */
class RedisStorageConnectionLossSpec : FunSpec({
    extension(RequiresRedis)

    val timeout = 500.milliseconds
    val bound = 2.seconds // how long any failing operation may take with 500 ms timeouts
    lateinit var proxy: TcpProxy
    val namespaces = mutableListOf<String>()
    val opened = mutableListOf<RedisStorage>()

    fun storageThroughProxy(silent: Boolean = false): RedisStorage {
        val options = RedisStorageOptions(
            namespace = TestRedis.uniqueNamespace(),
            commandTimeout = timeout,
            connectTimeout = timeout,
            silent = silent,
        )
        namespaces += options.namespace
        return RedisStorage.create(proxy.uri, options).also { opened += it }
    }

    beforeTest { proxy = redisProxy() }

    afterTest {
        opened.forEach { it.close() }
        opened.clear()
        proxy.close()
        RedisStorage.create(TestRedis.URI, RedisStorageOptions(namespace = "")).use { cleaner ->
            namespaces.forEach { cleaner.deleteByPrefix(it) }
        }
        TestRedis.raw().use { raw -> namespaces.forEach { raw.keys(it).shouldBeEmpty() } }
        namespaces.clear()
    }

    test(
        "after a cut every operation fails with StorageUnavailableException within the bound; after restore they work again",
    ) {
        val storage = storageThroughProxy()
        storage.set("k", "v", null)
        proxy.cut()

        val operations: List<Pair<String, suspend () -> Any?>> = listOf(
            "get" to { storage.get("k") },
            "set" to { storage.set("k", "lost", null) },
            "delete" to { storage.delete("k") },
            "getAll" to { storage.getAll(listOf("k")) },
            "setAll" to { storage.setAll(listOf(StorageEntry("k", "lost", null))) },
            "deleteByPrefix" to { storage.deleteByPrefix("") },
        )
        for ((name, operation) in operations) {
            val (error, took) = timed { shouldThrowExactly<StorageUnavailableException> { operation() } }
            withClue(name) {
                took shouldBeLessThan bound
                error.message shouldContain "unavailable"
            }
        }

        proxy.restore()
        retryUntilSuccess { storage.get("k") } shouldBe "v"
        storage.set("k", "after", null)
        storage.get("k") shouldBe "after"
    }

    test(
        "a Redis that stops answering fails each command after commandTimeout, and the connection recovers when it answers again",
    ) {
        val storage = storageThroughProxy()
        storage.set("k", "v", null)
        proxy.freeze()

        val (error, took) = timed { shouldThrowExactly<StorageUnavailableException> { storage.get("k") } }
        took shouldBeGreaterThanOrEqualTo timeout - 50.milliseconds
        took shouldBeLessThan bound
        error.message shouldContain "RedisCommandTimeoutException"

        proxy.thaw()
        storage.get("k") shouldBe "v"
    }

    test(
        "a silent storage reads misses and drops writes during a cut, within the bound, and works again after restore",
    ) {
        val storage = storageThroughProxy(silent = true)
        storage.set("k", "v", null)
        proxy.cut()

        val (results, took) = timed {
            storage.set("k", "lost", null)
            storage.setAll(listOf(StorageEntry("other", "lost", null)))
            storage.delete("k")
            listOf(storage.get("k"), storage.getAll(listOf("k")), storage.deleteByPrefix(""))
        }
        results shouldBe listOf(null, emptyMap<String, String>(), 0L)
        took shouldBeLessThan bound * 3

        proxy.restore()
        retryUntilSuccess { checkNotNull(storage.get("k")) } shouldBe "v"
        storage.get("other") shouldBe null
    }

    test("a storage created while Redis is unreachable fails as unavailable, then connects once Redis is reachable") {
        proxy.cut()
        val storage = storageThroughProxy()

        val (_, took) = timed { shouldThrowExactly<StorageUnavailableException> { storage.set("k", "v", null) } }
        took shouldBeLessThan bound

        proxy.restore()
        retryUntilSuccess { storage.set("k", "v", null) }
        storage.get("k") shouldBe "v"
    }
})
