package dev.stackquery.storage.redis

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.seconds

/** Options and factories; none of these needs a Redis server. */
class RedisStorageOptionsSpec : FunSpec({
    test("the defaults: namespace stackquery:, 2 s timeouts, not silent, SCAN steps of 1000") {
        val options = RedisStorageOptions()
        options.namespace shouldBe "stackquery:"
        options.commandTimeout shouldBe 2.seconds
        options.connectTimeout shouldBe 2.seconds
        options.silent shouldBe false
        options.scanCount shouldBe 1000
        RedisStorageOptions.builder().build() shouldBe options
        RedisStorageOptions.DEFAULT shouldBe options
    }

    test("toBuilder starts from the options and changes only what is set") {
        val options = RedisStorageOptions(namespace = "a:", commandTimeout = 300.milliseconds, silent = true)
        val changed = options.toBuilder().scanCount(10).build()
        changed shouldBe
            RedisStorageOptions(namespace = "a:", commandTimeout = 300.milliseconds, silent = true, scanCount = 10)
    }

    test("timeouts must be positive and finite and scanCount >= 1, each error naming the field") {
        shouldThrow<IllegalArgumentException> { RedisStorageOptions(commandTimeout = Duration.ZERO) }.message shouldBe
            "commandTimeout must be positive and finite, was 0s"
        shouldThrow<IllegalArgumentException> {
            RedisStorageOptions(connectTimeout = Duration.INFINITE)
        }.message shouldBe
            "connectTimeout must be positive and finite, was Infinity"
        shouldThrow<IllegalArgumentException> { RedisStorageOptions.builder().scanCount(0) }.message shouldBe
            "scanCount must be >= 1, was 0"
        shouldThrow<IllegalArgumentException> {
            RedisStorageOptions.builder().commandTimeout(java.time.Duration.ofMillis(-5))
        }.message shouldBe "commandTimeout must be positive and finite, was -5ms"
    }

    test("a URI that is not a Redis URI is rejected at creation") {
        shouldThrow<IllegalArgumentException> { RedisStorage.create("http://127.0.0.1:6379") }.message shouldContain
            "Not a Redis URI"
        shouldThrow<IllegalArgumentException> { RedisSyncTransport.create("not a uri", "c") }.message shouldContain
            "Not a Redis URI"
        shouldThrow<IllegalArgumentException> { RedisSyncTransport.create(TestRedis.URI, "") }.message shouldBe
            "channel must not be empty"
        shouldThrow<IllegalArgumentException> {
            RedisSyncTransport.create(TestRedis.URI, "c", Duration.ZERO)
        }.message shouldBe
            "timeout must be positive and finite, was 0s"
    }
})
