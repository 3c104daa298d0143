package dev.stackquery

import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import io.kotest.matchers.string.shouldContain
import kotlinx.coroutines.Dispatchers
import kotlin.time.Duration
import kotlin.time.Duration.Companion.milliseconds
import kotlin.time.Duration.Companion.minutes
import kotlin.time.Duration.Companion.seconds

class ConfigurationSpec : FunSpec({
    test("the client defaults are staleTime 0, gcTime 5 minutes, retry 3, cacheMaxSize 1000") {
        val config = QueryClientConfig()
        config.staleTime shouldBe Duration.ZERO
        config.gcTime shouldBe 5.minutes
        config.retry shouldBe 3
        config.retryPolicy shouldBe RetryPolicy.DEFAULT
        config.cacheMaxSize shouldBe 1000
        config.clock shouldBe QueryClock.SYSTEM
        config.coroutineContext shouldBe Dispatchers.Default
    }

    test("invalid client values fail at construction with a message naming the field") {
        shouldThrow<IllegalArgumentException> { QueryClientConfig(staleTime = (-1).seconds) }.message shouldContain
            "staleTime"
        shouldThrow<IllegalArgumentException> { QueryClientConfig(gcTime = (-1).milliseconds) }.message shouldContain
            "gcTime"
        shouldThrow<IllegalArgumentException> { QueryClientConfig(retry = -1) }.message shouldContain "retry"
        shouldThrow<IllegalArgumentException> { QueryClientConfig(cacheMaxSize = 0) }.message shouldContain
            "cacheMaxSize"
    }

    test("the builder validates each value as it is set") {
        val builder = QueryClientConfig.builder()
        shouldThrow<IllegalArgumentException> {
            builder.staleTime(java.time.Duration.ofSeconds(-1))
        }.message shouldContain
            "staleTime"
        shouldThrow<IllegalArgumentException> { builder.gcTime(java.time.Duration.ofMillis(-1)) }.message shouldContain
            "gcTime"
        shouldThrow<IllegalArgumentException> { builder.retry(-1) }.message shouldContain "retry"
        shouldThrow<IllegalArgumentException> { builder.cacheMaxSize(0) }.message shouldContain "cacheMaxSize"
        val config = builder.staleTime(java.time.Duration.ofSeconds(30)).retry(0).cacheMaxSize(1).build()
        config.staleTime shouldBe 30.seconds
        config.retry shouldBe 0
        config.cacheMaxSize shouldBe 1
        config.gcTime shouldBe 5.minutes
    }

    test("invalid query options fail at construction with a message naming the field") {
        val key = queryKey("k")
        shouldThrow<IllegalArgumentException> {
            QueryOptions(key, { 1 }, staleTime = (-1).seconds)
        }.message shouldContain
            "staleTime"
        shouldThrow<IllegalArgumentException> { QueryOptions(key, { 1 }, gcTime = (-1).seconds) }.message shouldContain
            "gcTime"
        shouldThrow<IllegalArgumentException> { QueryOptions(key, { 1 }, retry = -2) }.message shouldContain "retry"
        shouldThrow<IllegalArgumentException> {
            QueryOptions(key, { 1 }, refetchInterval = Duration.ZERO)
        }.message shouldContain
            "refetchInterval"
    }

    test("infinite stale and gc times are accepted") {
        QueryClientConfig(staleTime = Duration.INFINITE, gcTime = Duration.INFINITE).staleTime shouldBe
            Duration.INFINITE
        QueryOptions(queryKey("k"), { 1 }, staleTime = Duration.INFINITE).staleTime shouldBe Duration.INFINITE
    }
})
